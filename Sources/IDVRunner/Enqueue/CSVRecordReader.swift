/// Reads RFC 4180 CSV records from a ``LineReader``: comma-separated fields, fields in double
/// quotes may hold commas, `""` (a quote) and line breaks (kept as `\n`); records end at a line
/// break outside quotes, `\r\n` or `\n`. Blank lines are skipped.
///
/// A malformed record (a stray quote, text after a closing quote, an unterminated quote, invalid
/// UTF-8, over the size limit) is returned with a ``CSVRecord/problem`` instead of fields, so the
/// caller can reject it and go on.
struct CSVRecordReader {
    /// One record, or why it could not be read.
    struct CSVRecord: Sendable {
        /// The line the record starts on (1-based).
        var lineNumber: Int
        var fields: [String]
        /// Why the record is malformed; `fields` is empty then.
        var problem: String?
    }

    private enum State {
        case fieldStart, unquoted, quoted, quoteInQuoted
    }

    private var lines: LineReader
    private let maxRecordBytes: Int

    init(lines: LineReader, maxRecordBytes: Int) {
        self.lines = lines
        self.maxRecordBytes = maxRecordBytes
    }

    /// The next record, or `nil` at end of input.
    /// - Throws: ``OperationError`` `.input` when reading fails.
    mutating func next() async throws -> CSVRecord? {
        while let line = try await lines.next() {
            if let length = line.overlongLength {
                return Self.rejected(line.number, "line is \(length) bytes, over the \(maxRecordBytes)-byte limit")
            }
            if line.bytes.isEmpty { continue }
            return try await record(startingWith: line)
        }
        return nil
    }

    private mutating func record(startingWith first: InputLine) async throws -> CSVRecord {
        var fields: [[UInt8]] = []
        var field: [UInt8] = []
        var state = State.fieldStart
        var size = first.bytes.count
        var bytes = first.bytes
        // Past the size limit the record is still scanned to its end (so the next record starts in the
        // right place) but nothing more is kept.
        var overflowed = false
        while true {
            for byte in bytes {
                switch (state, byte) {
                case (.fieldStart, UInt8(ascii: "\"")):
                    state = .quoted
                case (.fieldStart, UInt8(ascii: ",")), (.unquoted, UInt8(ascii: ",")),
                    (.quoteInQuoted, UInt8(ascii: ",")):
                    if !overflowed { fields.append(field) }
                    field.removeAll(keepingCapacity: true)
                    state = .fieldStart
                case (.fieldStart, _), (.unquoted, _):
                    if byte == UInt8(ascii: "\"") {
                        return Self.rejected(
                            first.number,
                            "field \(fields.count + 1) has a quote inside an unquoted value: "
                                + "quote the whole field and double the inner quotes (\"a \"\"b\"\"\")")
                    }
                    if !overflowed { field.append(byte) }
                    state = .unquoted
                case (.quoted, UInt8(ascii: "\"")):
                    state = .quoteInQuoted
                case (.quoted, _):
                    if !overflowed { field.append(byte) }
                case (.quoteInQuoted, UInt8(ascii: "\"")):
                    if !overflowed { field.append(byte) }
                    state = .quoted
                case (.quoteInQuoted, _):
                    return Self.rejected(
                        first.number,
                        "field \(fields.count + 1) has text after its closing quote: "
                            + "double quotes inside a quoted field (\"\")")
                }
            }
            guard state == .quoted else { break }
            // A line break inside quotes belongs to the field: continue with the next line.
            guard let next = try await lines.next() else {
                return Self.rejected(first.number, "field \(fields.count + 1) opens a quote that is never closed")
            }
            size += 1 + (next.overlongLength ?? next.bytes.count)
            if next.overlongLength != nil || size > maxRecordBytes, !overflowed {
                overflowed = true
                fields.removeAll()
                field.removeAll()
            }
            if !overflowed { field.append(UInt8(ascii: "\n")) }
            bytes = next.bytes
        }
        if overflowed || size > maxRecordBytes {
            return Self.rejected(
                first.number, "record is \(size) bytes, over the \(maxRecordBytes)-byte limit (--max-line-bytes)")
        }
        fields.append(field)
        var texts: [String] = []
        texts.reserveCapacity(fields.count)
        for (index, raw) in fields.enumerated() {
            guard let text = String(validating: raw, as: UTF8.self) else {
                return Self.rejected(first.number, "field \(index + 1) is not valid UTF-8: save the file as UTF-8")
            }
            texts.append(text)
        }
        return CSVRecord(lineNumber: first.number, fields: texts, problem: nil)
    }

    private static func rejected(_ line: Int, _ problem: String) -> CSVRecord {
        CSVRecord(lineNumber: line, fields: [], problem: problem)
    }
}
