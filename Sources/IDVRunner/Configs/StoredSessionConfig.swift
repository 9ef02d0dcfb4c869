import YotiAPI

/// A named session configuration as stored in `idv.session_configs`.
package struct StoredSessionConfig: Sendable, Hashable {
    package var name: String
    /// The full session spec rows with this `config_name` start from.
    package var spec: JSONValue
    /// Sent to Yoti Sign as `is_private` on `configs push --remote`.
    package var isPrivate: Bool
    package var createdAt: String
    package var updatedAt: String
    /// When it was last registered with Yoti Sign (`nil`: never).
    package var remoteRegisteredAt: String?

    /// `{"name", "is_private", "created_at", "updated_at", "remote_registered_at", "spec"}`; secrets in
    /// the spec (notification `auth_token`) are redacted.
    package var json: JSONValue {
        [
            "name": .string(name), "is_private": .bool(isPrivate), "created_at": .string(createdAt),
            "updated_at": .string(updatedAt), "remote_registered_at": .optional(remoteRegisteredAt, JSONValue.string),
            "spec": spec.redactingSecrets(),
        ]
    }

    /// What the configuration asks for, in a few words: `checks ID_DOCUMENT_AUTHENTICITY, LIVENESS; ttl 900 s`.
    package var summary: String {
        let view = SessionSpec(json: spec)
        var parts: [String] = []
        if let checks = view.requestedChecks, !checks.isEmpty {
            parts.append("checks " + checks.compactMap { $0.json["type"]?.stringValue }.joined(separator: ", "))
        }
        if let support = view.ibvOptions?.json["support"]?.stringValue { parts.append("IBV \(support)") }
        if let ttl = view.clientSessionTokenTTL { parts.append("ttl \(ttl) s") }
        return parts.isEmpty ? "-" : parts.joined(separator: "; ")
    }
}
