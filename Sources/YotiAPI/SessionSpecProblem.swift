/// One thing wrong, or merely unknown, in a session spec, at a JSON path.
///
/// `description` is `path: message`, e.g.
/// `requested_checks[2].config.manual_check: "SOMETIMES" is not one of ALWAYS, FALLBACK, NEVER, IBV`.
/// Messages quote enum-like values and formats but never the value of a secret field.
package struct SessionSpecProblem: Sendable, Hashable, CustomStringConvertible {
    /// How sure the validator is that Yoti would refuse the spec.
    package enum Severity: Sendable, Hashable {
        /// Certainly wrong (a wrong JSON type, a bound, a format, a missing required part): never sent.
        case error
        /// A value outside an open vocabulary Yoti extends over time: sent anyway, unless validation is strict.
        case unknownValue
    }

    /// Dotted JSON path with `[i]` for array elements (`sdk_config.primary_colour`); `$` for the root.
    package var path: String
    /// What is wrong, and what is expected instead.
    package var message: String
    /// ``Severity/error`` unless the problem is an unknown value in an open vocabulary.
    package var severity: Severity
    /// For ``Severity/unknownValue``: the value that is not known (an enum-like string, never a secret).
    package var value: String?

    /// Creates a problem.
    package init(path: String, message: String, severity: Severity = .error, value: String? = nil) {
        self.path = path
        self.message = message
        self.severity = severity
        self.value = value
    }

    /// Whether the problem is only a warning (an unknown value in an open vocabulary).
    package var isWarning: Bool { severity == .unknownValue }

    /// The path without array indices (`requested_tasks[].type`): with ``value``, what identifies one
    /// warning across the rows of a run, so each unknown value is reported once.
    package var field: String {
        var result = ""
        var skipping = false
        for character in path {
            if character == "[" {
                skipping = true
                result.append("[]")
            } else if character == "]" {
                skipping = false
            } else if !skipping {
                result.append(character)
            }
        }
        return result
    }

    package var description: String { "\(path): \(message)" }
}
