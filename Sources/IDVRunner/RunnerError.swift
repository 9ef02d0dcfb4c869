/// A run that could not start or had to give up before producing a summary.
public struct RunnerError: Error, Sendable, CustomStringConvertible {
    /// What kind of failure; extensible without breaking callers.
    public struct Code: Sendable, Hashable, CustomStringConvertible {
        fileprivate enum Base: String, Sendable, Hashable {
            case configuration, databaseUnavailable
        }
        fileprivate let base: Base

        /// A setting is unusable (exit 2).
        public static let configuration = Code(base: .configuration)
        /// PostgreSQL could not be reached or refused the runner's statements (exit 3).
        public static let databaseUnavailable = Code(base: .databaseUnavailable)

        public var description: String { base.rawValue }
    }

    public var code: Code
    /// What is wrong and what to do next.
    public var message: String

    public init(code: Code, message: String) {
        self.code = code
        self.message = message
    }

    /// The exit code design.md gives this failure.
    public var exitCode: Int32 {
        code == .configuration ? 2 : 3
    }

    public var description: String { message }
}
