/// Checks a session spec for what is certainly wrong before any network call, reporting every
/// problem at once with its JSON path.
///
/// Checked: JSON types of known fields, documented enum values (``SessionSpecVocabulary``; a value
/// unknown in an open vocabulary is only a warning unless validation is strict, as Yoti adds values),
/// `client_session_token_ttl` > 300 s, `resources_ttl` ≥ 24 h and ≥ ttl + 24 h, not both a ttl and
/// a `session_deadline`, RFC 3339 deadlines, `#rrggbb` colours, alpha-3 country codes, URLs, dates
/// of birth. Unknown fields are never problems: Yoti adds fields over time. `null` counts as absent.
/// Integer fields also accept digit strings, as Yoti's own IBV example sends `"resources_ttl": "1209600"`.
package enum SessionSpecValidator {
    /// Seconds in 24 hours: the minimum `resources_ttl`, and its minimum margin over the token ttl.
    package static let day: Int64 = 86_400

    /// Validates a session spec.
    /// - Parameters:
    ///   - spec: the JSON body that would be sent to `POST /sessions`.
    ///   - strict: also refuse values unknown in an open vocabulary (``SessionSpecProblem/Severity/unknownValue``);
    ///     default `false`, so a value Yoti added since this release is sent and Yoti decides.
    /// - Returns: every problem that refuses the spec, in a stable order; empty when the spec may be sent.
    package static func validate(_ spec: JSONValue, strict: Bool = false) -> [SessionSpecProblem] {
        findings(spec).filter { strict || !$0.isWarning }
    }

    /// Values unknown in an open vocabulary: sent unless validation is strict, reported as warnings.
    package static func warnings(_ spec: JSONValue) -> [SessionSpecProblem] {
        findings(spec).filter(\.isWarning)
    }

    /// Every problem and warning, in a stable order.
    package static func findings(_ spec: JSONValue) -> [SessionSpecProblem] {
        guard case .object(let top) = spec else {
            return [
                SessionSpecProblem(
                    path: "$", message: "expected the session spec to be a JSON object, found \(spec.typeDescription)")
            ]
        }
        var checker = SpecChecker()
        checker.check(spec, against: schema, at: "")

        let ttlValue = top["client_session_token_ttl"].nonNull
        let deadlineValue = top["session_deadline"].nonNull
        if ttlValue != nil, deadlineValue != nil {
            checker.report(
                "session_deadline",
                "send either client_session_token_ttl or session_deadline, not both (remove one of them)")
        }
        let ttl = ttlValue.flatMap(SpecChecker.lenientInteger)
        // Compared as `resources - day < ttl`: `ttl + day` overflows (and traps) for a ttl near Int64.max.
        if let resources = top["resources_ttl"].flatMap(SpecChecker.lenientInteger), resources >= day,
            let ttl, ttl > 300, resources - day < ttl
        {
            let (minimum, overflow) = ttl.addingReportingOverflow(day)
            checker.report(
                "resources_ttl",
                "\(resources) is too short: must be at least client_session_token_ttl + 86400 = "
                    + (overflow ? "more than the largest integer" : "\(minimum)")
                    + " seconds (media must outlive the session by 24 h)")
        }
        return checker.problems
    }

    /// Validates and returns the problems as one line each (`path: message`), for logs and errors.
    package static func describe(_ problems: [SessionSpecProblem]) -> String {
        problems.map(\.description).joined(separator: "; ")
    }
}
