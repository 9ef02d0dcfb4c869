/// One physical line of an input file, without its line break.
struct InputLine: Sendable {
    /// 1-based line number in the input.
    var number: Int
    /// The line's bytes without `\n` or `\r\n`; empty when the line was too long to keep.
    var bytes: [UInt8]
    /// The line's full length when it was longer than the reader's limit (its bytes were dropped).
    var overlongLength: Int?
}
