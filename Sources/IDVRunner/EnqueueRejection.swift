/// An input line `enqueue` did not load, and why.
public struct EnqueueRejection: Error, Sendable, Hashable, CustomStringConvertible {
    /// The 1-based line number (where the record starts, for CSV records spanning lines).
    public var line: Int
    /// What is wrong with it, for a person fixing the file.
    public var reason: String

    /// Creates a rejection.
    public init(line: Int, reason: String) {
        self.line = line
        self.reason = reason
    }

    /// `line N: reason`.
    public var description: String { "line \(line): \(reason)" }
}
