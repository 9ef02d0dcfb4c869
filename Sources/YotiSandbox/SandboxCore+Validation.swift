import YotiAPI

extension SandboxCore {
    /// Problems with a session spec, as Yoti's `errors[]`.
    // TODO(sandbox): replace with SessionSpecValidator.validate once the yoti branch is merged.
    static func specProblems(_ spec: JSONValue) -> [YotiErrorBody.PropertyError] {
        var problems: [YotiErrorBody.PropertyError] = []
        let ttl = spec["client_session_token_ttl"]
        if let ttl, ttl.int64Value.map({ $0 > 300 }) != true {
            problems.append(.init(property: "client_session_token_ttl", message: "must be an integer greater than 300"))
        }
        if ttl != nil && spec["session_deadline"] != nil {
            problems.append(
                .init(property: "session_deadline", message: "give client_session_token_ttl or session_deadline, not both"))
        }
        for key in ["requested_checks", "requested_tasks", "required_documents"] {
            if let value = spec[key], value.arrayValue == nil {
                problems.append(.init(property: key, message: "must be an array"))
            }
        }
        return problems
    }
}
