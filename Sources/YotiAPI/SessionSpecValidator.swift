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
        crossFieldRules(top, into: &checker)
        return checker.problems
    }

    /// What ``findings(_:)`` finds in each top-level member of a base spec (a named configuration),
    /// worked out once, so that a spec composed from it with a merge patch is checked only where the
    /// patch changed it (``findings(_:composedFrom:patch:)``).
    package struct BaseFindings: Sendable {
        fileprivate let members: [String: [SessionSpecProblem]]

        /// `nil` when `base` is not an object (nothing to reuse).
        package init?(base: JSONValue) {
            guard case .object(let top) = base else { return nil }
            var members: [String: [SessionSpecProblem]] = [:]
            for (key, value) in top {
                var checker = SpecChecker()
                checker.checkMember(key, value, of: schemaMembers)
                members[key] = checker.problems
            }
            self.members = members
        }
    }

    /// ``findings(_:)`` of `spec`, the composition of `base`'s spec with the merge patch `patch` (plus
    /// the `user_tracking_id` a composer adds), reusing `base`'s findings for each top-level member the
    /// patch does not name: such a member is `base`'s own value, so its findings are the same. The same
    /// problems in the same order as ``findings(_:)``; a patch that is not an object replaces the whole
    /// spec, and then everything is checked.
    package static func findings(_ spec: JSONValue, composedFrom base: BaseFindings, patch: JSONValue?)
        -> [SessionSpecProblem]
    {
        guard case .object(let top) = spec else { return findings(spec) }
        let touched: [String: JSONValue]
        switch patch {
        case nil, .null?: touched = [:]
        case .object(let members)?: touched = members
        default: return findings(spec)
        }
        var checker = SpecChecker()
        // Sorted, as SpecChecker sorts members, so the problems come out in the same order.
        for key in top.keys.sorted() {
            // user_tracking_id is the one member a composer may set that is not the base's.
            if touched[key] == nil, key != "user_tracking_id", let known = base.members[key] {
                checker.append(known)
            } else {
                checker.checkMember(key, top[key]!, of: schemaMembers)
            }
        }
        crossFieldRules(top, into: &checker)
        return checker.problems
    }

    /// The rules that relate several top-level members (ttl, deadline, resources ttl).
    private static func crossFieldRules(_ top: [String: JSONValue], into checker: inout SpecChecker) {
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
    }

    /// Validates and returns the problems as one line each (`path: message`), for logs and errors.
    package static func describe(_ problems: [SessionSpecProblem]) -> String {
        problems.map(\.description).joined(separator: "; ")
    }
}
