/// An input line `enqueue` did not load, and why.
package struct EnqueueRejection: Error, Sendable, Hashable, CustomStringConvertible {
    /// The 1-based line number (where the record starts, for CSV records spanning lines).
    package var line: Int
    /// What is wrong with it, for a person fixing the file.
    package var reason: String

    /// Creates a rejection.
    package init(line: Int, reason: String) {
        self.line = line
        self.reason = reason
    }

    /// `line N: reason`.
    package var description: String { "line \(line): \(reason)" }
}
