/// One thing certainly wrong with a session spec, at a JSON path.
///
/// `description` is `path: message`, e.g.
/// `requested_checks[2].config.manual_check: "SOMETIMES" is not one of ALWAYS, FALLBACK, NEVER, IBV`.
/// Messages quote enum-like values and formats but never the value of a secret field.
package struct SessionSpecProblem: Sendable, Hashable, CustomStringConvertible {
    /// Dotted JSON path with `[i]` for array elements (`sdk_config.primary_colour`); `$` for the root.
    package var path: String
    /// What is wrong, and what is expected instead.
    package var message: String

    /// Creates a problem.
    package init(path: String, message: String) {
        self.path = path
        self.message = message
    }

    package var description: String { "\(path): \(message)" }
}
