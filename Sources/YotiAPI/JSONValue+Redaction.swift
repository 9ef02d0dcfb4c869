extension JSONValue {
    /// The text that replaces a secret.
    package static let redactedMarker = "<redacted>"

    /// A copy with every secret-bearing member's value replaced by `"<redacted>"`, at any depth.
    ///
    /// A member is secret when its name, ignoring case, `_` and `-`, ends in `token`, `password`,
    /// `passwd`, `passphrase`, `secret`, `apikey`, `secretkey`, `accesskey`, `credential` or
    /// `credentials`, contains `privatekey`, or is `authorization`: this covers `notifications.auth_token`,
    /// `client_session_token`, a custom ComplyAdvantage `api_key` and passwords. Whatever such a member
    /// holds — a string, a number, an array or an object (`{"auth_token": ["x"]}`, `import_token: {ttl}`) —
    /// is replaced whole: nothing under a secret name is searched or kept. Only `null` stays `null` (it holds
    /// nothing, and says the secret is unset).
    package func redactingSecrets() -> JSONValue {
        switch self {
        case .object(let members):
            var result: [String: JSONValue] = [:]
            for (key, value) in members {
                if value == .null {
                    result[key] = value
                } else if Self.isSecretKey(key) {
                    result[key] = .string(Self.redactedMarker)
                } else {
                    result[key] = value.redactingSecrets()
                }
            }
            return .object(result)
        case .array(let elements):
            return .array(elements.map { $0.redactingSecrets() })
        default:
            return self
        }
    }

    /// Whether a member name denotes a secret (see ``redactingSecrets()``).
    package static func isSecretKey(_ key: String) -> Bool {
        let normalised = key.lowercased().filter { $0 != "_" && $0 != "-" }
        if normalised == "authorization" || normalised.contains("privatekey") { return true }
        return [
            "token", "password", "passwd", "passphrase", "secret", "apikey", "secretkey", "accesskey", "credential",
            "credentials",
        ].contains { normalised.hasSuffix($0) }
    }
}

extension JSONValue: CustomStringConvertible, CustomDebugStringConvertible, CustomReflectable {
    /// Compact JSON with secrets redacted, so that printing or logging a spec cannot leak
    /// `auth_token` and the like. Use ``jsonString()`` for the exact JSON.
    package var description: String { redactingSecrets().jsonString() }
    package var debugDescription: String { description }
    /// What `dump` and debuggers show: the redacted JSON text.
    package var customMirror: Mirror { Mirror(self, children: ["json": description], displayStyle: .struct) }
}

extension JSONValue {
    /// The text that replaces a personal value.
    package static let personalMarker = "<personal>"

    /// A copy with every member that holds personal data replaced by `"<personal>"`, at any depth: the
    /// applicant and contact profiles whole (`applicant_profile`, `contact_profile`), and any member whose
    /// name, ignoring case, `_` and `-`, ends in `name` or `names`, or contains `address`, `birth`, `phone`,
    /// `email` or `postcode`/`postalcode`. For showing a spec to people (`run --dry-run`), not for sending.
    package func redactingPersonalData() -> JSONValue {
        switch self {
        case .object(let members):
            var result: [String: JSONValue] = [:]
            for (key, value) in members {
                result[key] =
                    value != .null && Self.isPersonalKey(key)
                    ? .string(Self.personalMarker) : value.redactingPersonalData()
            }
            return .object(result)
        case .array(let elements):
            return .array(elements.map { $0.redactingPersonalData() })
        default:
            return self
        }
    }

    /// Whether a member name denotes personal data (see ``redactingPersonalData()``).
    package static func isPersonalKey(_ key: String) -> Bool {
        let normalised = key.lowercased().filter { $0 != "_" && $0 != "-" }
        if normalised == "applicantprofile" || normalised == "contactprofile" { return true }
        if normalised.hasSuffix("name") || normalised.hasSuffix("names") { return true }
        return ["address", "birth", "phone", "email", "postcode", "postalcode"].contains { normalised.contains($0) }
    }
}
