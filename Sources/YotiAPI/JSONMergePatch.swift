/// JSON Merge Patch, exactly as RFC 7386 defines it.
///
/// A patch that is an object merges member by member (a `null` member deletes, an object member
/// recurses, anything else replaces); a patch that is not an object replaces the target entirely.
package enum JSONMergePatch {
    /// Applies `patch` to `target` (RFC 7386 section 2, `MergePatch(Target, Patch)`).
    package static func apply(_ patch: JSONValue, to target: JSONValue) -> JSONValue {
        guard case .object(let patchMembers) = patch else { return patch }
        var result: [String: JSONValue]
        if case .object(let targetMembers) = target {
            result = targetMembers
        } else {
            result = [:]
        }
        for (name, value) in patchMembers {
            if value.isNull {
                result[name] = nil
            } else {
                result[name] = apply(value, to: result[name] ?? .null)
            }
        }
        return .object(result)
    }
}
