import YotiAPI

/// Row spec composition, kept local until YotiAPI's `SessionSpecComposer` / `JSONMergePatch` land
/// (branch `yoti`); then ``SpecCatalog`` switches to them and this file goes.
enum SpecComposition {
    /// Why a row has no spec to send.
    struct Failure: Error, CustomStringConvertible {
        var description: String
    }

    /// RFC 7386 JSON merge patch: objects merge recursively, `null` deletes, anything else replaces.
    static func mergePatch(_ patch: JSONValue, onto target: JSONValue) -> JSONValue {
        guard case .object(let patchMembers) = patch else { return patch }
        var result = target.objectValue ?? [:]
        for (key, value) in patchMembers {
            if value.isNull {
                result.removeValue(forKey: key)
            } else {
                result[key] = mergePatch(value, onto: result[key] ?? .null)
            }
        }
        return .object(result)
    }

    /// The named configuration patched by the row's spec, or the row's full spec;
    /// `user_tracking_id` defaults to the row's external reference.
    static func compose(configuration: JSONValue?, rowSpec: JSONValue?, externalRef: String) throws -> JSONValue {
        var spec: JSONValue
        switch (configuration, rowSpec) {
        case (let base?, let patch?): spec = mergePatch(patch, onto: base)
        case (let base?, nil): spec = base
        case (nil, let full?): spec = full
        case (nil, nil):
            throw Failure(description: "row has neither config_name nor session_spec: set one of them")
        }
        guard case .object(var members) = spec else {
            throw Failure(description: "session_spec: the composed spec is \(spec.typeDescription), not a JSON object")
        }
        if members["user_tracking_id"] == nil { members["user_tracking_id"] = .string(externalRef) }
        spec = .object(members)
        return spec
    }

    /// Keys whose values are secrets (never shown in dry-run output).
    static let secretKeys: Set<String> = ["auth_token", "client_session_token", "api_key", "password", "secret"]

    /// A copy with secret values replaced by `<redacted>`.
    static func redacted(_ value: JSONValue) -> JSONValue {
        switch value {
        case .object(let members):
            var copy: [String: JSONValue] = [:]
            for (key, member) in members {
                copy[key] = secretKeys.contains(key.lowercased()) ? "<redacted>" : redacted(member)
            }
            return .object(copy)
        case .array(let elements):
            return .array(elements.map(redacted))
        default:
            return value
        }
    }
}
