/// Builds the spec for one row: a named configuration with the row's merge patch applied, or the
/// row's own full spec; `user_tracking_id` defaults to the row's `external_ref`.
package enum SessionSpecComposer {
    /// Composes a row's spec.
    /// - Parameters:
    ///   - configuration: the named configuration's spec, when the row has `config_name` (the caller
    ///     resolves the name; pass `nil` when the row has none).
    ///   - configurationName: the name, for messages.
    ///   - rowSpec: the row's `session_spec`: a merge patch (RFC 7386) over the configuration, or,
    ///     without a configuration, the full spec.
    ///   - externalRef: the row's `external_ref`, for messages, and the `user_tracking_id` when the spec
    ///     sets none and `userTrackingID` is `nil`.
    ///   - userTrackingID: the `user_tracking_id` to send when the spec sets none — a run passes the value
    ///     its claim recorded in the ledger before the call, so the two never differ.
    /// - Returns: the spec to validate and send.
    /// - Throws: ``SessionSpecCompositionError`` when there is neither a configuration nor a spec, or
    ///   the result is not a JSON object.
    package static func compose(
        configuration: JSONValue?, configurationName: String? = nil, rowSpec: JSONValue?, externalRef: String,
        userTrackingID: String? = nil
    ) throws -> JSONValue {
        let rowSpec = rowSpec.nonNull
        var spec: JSONValue
        switch (configuration, rowSpec) {
        case (nil, nil):
            throw SessionSpecCompositionError(
                code: .nothingToSend,
                message:
                    "row \(externalRef) has neither config_name nor session_spec: set config_name to a named configuration, or session_spec to a full session spec"
            )
        case (let base?, let patch?):
            spec = JSONMergePatch.apply(patch, to: base)
        case (let base?, nil):
            spec = base
        case (nil, let full?):
            spec = full
        }
        guard case .object(var members) = spec else {
            let source =
                configuration == nil ? "session_spec" : "config \(configurationName ?? "?") patched by session_spec"
            throw SessionSpecCompositionError(
                code: .notAnObject,
                message:
                    "row \(externalRef): \(source) is \(spec.typeDescription), not a JSON object: a session spec (or a merge patch) must be an object"
            )
        }
        if members["user_tracking_id"].nonNull == nil {
            members["user_tracking_id"] = .string(userTrackingID ?? externalRef)
        }
        spec = .object(members)
        return spec
    }
}
