/// Why a job file cannot be used: always names the file, and the key and line when there is one.
package struct JobFileError: Error, Sendable, CustomStringConvertible {
    /// What kind of problem; extensible without breaking callers.
    package struct Code: Sendable, Hashable, CustomStringConvertible {
        fileprivate enum Base: String, Sendable, Hashable {
            case unreadable, syntax, unknownKey = "unknown_key", invalidValue = "invalid_value"
            case secret, wrongCommand = "wrong_command"
        }
        fileprivate let base: Base

        /// The file cannot be read.
        package static let unreadable = Code(base: .unreadable)
        /// Not YAML, or not a mapping at the top.
        package static let syntax = Code(base: .syntax)
        /// A key the format does not have (typos must not be ignored).
        package static let unknownKey = Code(base: .unknownKey)
        /// A value of the wrong type or out of range.
        package static let invalidValue = Code(base: .invalidValue)
        /// A value that would put a secret in the file (a password in a URL, an API key).
        package static let secret = Code(base: .secret)
        /// The file is for another command (`command: expire` given to `rerun`).
        package static let wrongCommand = Code(base: .wrongCommand)

        package var description: String { base.rawValue }
    }

    package var code: Code
    /// The job file's path as given.
    package var file: String
    /// The dotted key (`run.concurrency`), when the problem is with one.
    package var key: String?
    /// The 1-based line, when known.
    package var line: Int?
    /// What is wrong and what to do, without the file/line prefix.
    package var message: String

    /// Creates an error.
    package init(code: Code, file: String, key: String? = nil, line: Int? = nil, message: String) {
        self.code = code
        self.file = file
        self.key = key
        self.line = line
        self.message = message
    }

    /// Job file problems are configuration errors: exit 2.
    package var exitCode: Int32 { 2 }

    /// `jobs/nightly.yml:12: run.concurrency: must be an integer, found "many"`.
    package var description: String {
        var location = file
        if let line { location += ":\(line)" }
        if let key { location += ": \(key)" }
        return "\(location): \(message)"
    }
}
