import YotiAPI

/// One input row before validation: what a JSON line or CSV record says.
struct EnqueueCandidate: Sendable {
    /// The line the row starts on (1-based).
    var line: Int
    var externalRef: String
    /// The row's own `config_name`; `nil` falls back to `--config`.
    var configName: String?
    /// The row's `session_spec`: a patch over the configuration, or a full spec without one.
    var spec: JSONValue?
    /// The row's In-Branch instructions (`ibv_instructions`), if any.
    var instructions: JSONValue? = nil

    /// The keys a JSON line may have.
    static let jsonKeys: Set<String> = ["external_ref", "config_name", "session_spec", "ibv_instructions"]

    /// Reads one JSON line.
    /// - Returns: the candidate, or the reason the line is rejected.
    static func parse(jsonLine bytes: [UInt8], line: Int) -> Result<EnqueueCandidate, EnqueueRejection> {
        func reject(_ reason: String) -> Result<EnqueueCandidate, EnqueueRejection> {
            .failure(EnqueueRejection(line: line, reason: reason))
        }
        let value: JSONValue
        do {
            value = try JSONValue(jsonBytes: bytes)
        } catch {
            // A line that parses is valid UTF-8 (the parser checks every string), so check only on failure.
            let failure = error as? JSONParseError
            if failure?.kind == .invalidUTF8 || String(validating: bytes, as: UTF8.self) == nil {
                return reject("not valid UTF-8: save the file as UTF-8")
            }
            let position = failure.map { " at column \($0.column): \($0.reason)" } ?? ""
            return reject("not valid JSON\(position); each line must be one JSON object")
        }
        guard case .object(let members) = value else {
            return reject("\(value.typeDescription), not a JSON object: each line must be {\"external_ref\": ..., ...}")
        }
        let unknown = members.keys.filter { !jsonKeys.contains($0) }.sorted()
        guard unknown.isEmpty else {
            return reject(
                "unknown key(s) \(unknown.joined(separator: ", ")); accepted: external_ref, config_name, session_spec, "
                    + "ibv_instructions")
        }
        guard let externalRefValue = members["external_ref"], !externalRefValue.isNull else {
            return reject("external_ref is missing: every row needs the caller's id for the person")
        }
        guard case .string(let externalRef) = externalRefValue else {
            return reject("external_ref is \(externalRefValue.typeDescription); it must be a string (quote it)")
        }
        var configName: String?
        switch members["config_name"] {
        case nil, .null?: configName = nil
        case .string(let name)?: configName = name
        case let other?: return reject("config_name is \(other.typeDescription); it must be a string or null")
        }
        var spec: JSONValue?
        switch members["session_spec"] {
        case nil, .null?: spec = nil
        case .object(let object)?: spec = .object(object)
        case let other?: return reject("session_spec is \(other.typeDescription); it must be a JSON object or null")
        }
        var instructions: JSONValue?
        switch members["ibv_instructions"] {
        case nil, .null?: instructions = nil
        case .object(let object)?: instructions = .object(object)
        case let other?: return reject("ibv_instructions is \(other.typeDescription); it must be a JSON object or null")
        }
        return .success(
            EnqueueCandidate(
                line: line, externalRef: externalRef, configName: configName, spec: spec, instructions: instructions))
    }
}
