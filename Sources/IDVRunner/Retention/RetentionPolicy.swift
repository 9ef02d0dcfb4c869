import Foundation

/// How long each kind of personal data is kept after a row is finished (expired, failed or cancelled; a
/// `created` row once its token has expired): a duration, or ``Period/never``. `idv-batch purge` applies it.
package struct RetentionPolicy: Sendable, Hashable {
    /// A retention period.
    package enum Period: Sendable, Hashable, CustomStringConvertible {
        /// Kept for good.
        case never
        /// Kept this many seconds after the row finished (0: purged at the next sweep).
        case after(seconds: Int64)

        /// Parses `never`, or a whole number with a unit: `s`, `m`, `h`, `d` or `w` (`30d`, `12h`, `0d`).
        /// - Throws: ``OperationError`` `.usage` naming `kind` and what is wrong (a negative period included).
        package static func parse(_ text: String, kind: String) throws -> Period {
            let value = text.trimmingCharacters(in: .whitespaces).lowercased()
            if value == "never" { return .never }
            let units: [Character: Int64] = ["s": 1, "m": 60, "h": 3_600, "d": 86_400, "w": 604_800]
            let example = "a duration such as 30d, 12h, 90m, 2w or 0d, or never"
            guard let unit = value.last, let seconds = units[unit] else {
                throw OperationError(
                    code: .usage, message: "retention \(kind): \"\(text)\" is not \(example) (units s, m, h, d, w)")
            }
            let number = value.dropLast()
            if number.hasPrefix("-") {
                throw OperationError(
                    code: .usage,
                    message: "retention \(kind): \"\(text)\" is negative; a period counts forward from when a row "
                        + "finished (use 0d to purge at the next sweep)")
            }
            guard !number.isEmpty, number.allSatisfy(\.isASCII), number.allSatisfy(\.isNumber),
                let amount = Int64(number), amount <= 36_500 * 86_400 / seconds
            else {
                throw OperationError(code: .usage, message: "retention \(kind): \"\(text)\" is not \(example)")
            }
            return .after(seconds: amount * seconds)
        }

        /// Seconds, or `nil` for never.
        package var seconds: Int64? {
            if case .after(let seconds) = self { return seconds }
            return nil
        }

        /// `never`, or the shortest exact spelling (`30d`, `36h`, `90m`, `45s`).
        package var description: String {
            guard let seconds else { return "never" }
            for (unit, size) in [("w", Int64(604_800)), ("d", 86_400), ("h", 3_600), ("m", 60)]
            where seconds > 0 && seconds % size == 0 {
                return "\(seconds / size)\(unit)"
            }
            return seconds == 0 ? "0d" : "\(seconds)s"
        }
    }

    /// The kinds of data, as spelled in flags and job files.
    package enum Kind: String, Sendable, Hashable, CaseIterable {
        /// The applicant profile and spec (`session_spec`), `ibv_instructions`, the letter file and its path.
        case personalInputs = "personal_inputs"
        /// The recorded per-check outcome and recommendation (`result_outcome`, `result_recommendation`).
        case results
        /// Stored notification payloads once processed.
        case notifications
        /// The session at Yoti (its media and data), deleted through the delete step.
        case yotiSessions = "yoti_sessions"
    }

    /// Default 30 days.
    package var personalInputs: Period = .after(seconds: 30 * 86_400)
    /// Default never: a firm's KYC records.
    package var results: Period = .never
    /// Default 30 days.
    package var notifications: Period = .after(seconds: 30 * 86_400)
    /// Default 30 days.
    package var yotiSessions: Period = .after(seconds: 30 * 86_400)

    /// The default policy.
    package init() {}

    /// The period of `kind`.
    package subscript(kind: Kind) -> Period {
        get {
            switch kind {
            case .personalInputs: personalInputs
            case .results: results
            case .notifications: notifications
            case .yotiSessions: yotiSessions
            }
        }
        set {
            switch kind {
            case .personalInputs: personalInputs = newValue
            case .results: results = newValue
            case .notifications: notifications = newValue
            case .yotiSessions: yotiSessions = newValue
            }
        }
    }

    /// The default policy overridden by `settings` (`kind` → period text, e.g. from a job file's `retention:`
    /// or `--keep personal_inputs=7d`).
    /// - Throws: ``OperationError`` `.usage` for an unknown kind or a bad period.
    package static func parse(_ settings: [(kind: String, period: String)]) throws -> RetentionPolicy {
        var policy = RetentionPolicy()
        for (name, text) in settings {
            guard let kind = Kind(rawValue: name) else {
                throw OperationError(
                    code: .usage,
                    message: "retention: unknown kind \"\(name)\"; the kinds are "
                        + Kind.allCases.map(\.rawValue).joined(separator: ", "))
            }
            policy[kind] = try Period.parse(text, kind: name)
        }
        return policy
    }

    /// `personal_inputs=30d results=never …`, for reports and `idv.runs.details`.
    package var summary: String {
        Kind.allCases.map { "\($0.rawValue)=\(self[$0])" }.joined(separator: " ")
    }
}
