/// One thing certainly wrong with a session spec, at a JSON path.
///
/// `description` is `path: message`, e.g.
/// `requested_checks[2].config.manual_check: "SOMETIMES" is not one of ALWAYS, FALLBACK, NEVER, IBV`.
/// Messages quote enum-like values and formats but never the value of a secret field.
public struct SessionSpecProblem: Sendable, Hashable, CustomStringConvertible {
    /// Dotted JSON path with `[i]` for array elements (`sdk_config.primary_colour`); `$` for the root.
    public var path: String
    /// What is wrong, and what is expected instead.
    public var message: String

    /// Creates a problem.
    public init(path: String, message: String) {
        self.path = path
        self.message = message
    }

    public var description: String { "\(path): \(message)" }
}
