import YotiAPI

/// Builds the `PUT /sessions/{id}/instructions` body for one row: its `ibv_instructions` merged over the
/// configuration's `ibv_defaults` (RFC 7386), validated locally, documents mapped to the session's
/// requirement ids (by requirement type, then the requirement's document filter; each requirement used once).
enum InstructionsPlan {
    /// The body, or why nothing can be sent (paths as in ``IBVInstructionsValidator``).
    enum Result: Sendable {
        case body(JSONValue)
        case invalid([String])
    }

    static func body(instructions: JSONValue?, defaults: JSONValue?, requirements: [IBVRequirement]) -> Result {
        var merged = defaults ?? .object([:])
        if let instructions { merged = JSONMergePatch.apply(instructions, to: merged) }
        let problems = IBVInstructionsValidator.problems(in: merged)
        guard problems.isEmpty else { return .invalid(problems.map(\.description)) }

        var unused = requirements
        var documents: [JSONValue] = []
        var mappingProblems: [String] = []
        for (index, document) in (merged["documents"]?.arrayValue ?? []).enumerated() {
            let type = document["type"]?.stringValue ?? "ID_DOCUMENT"
            guard let match = unused.firstIndex(where: { $0.accepts(document) }) else {
                let kind = document["document_type"]?.stringValue ?? "?"
                let country = document["country_code"]?.stringValue.map { " from \($0)" } ?? ""
                let offered = requirements.map(\.type).joined(separator: ", ")
                mappingProblems.append(
                    "documents[\(index)]: no unused requirement of this session accepts a \(kind) (\(type))\(country) "
                        + "(the session requires: \(offered.isEmpty ? "nothing" : offered))")
                continue
            }
            let requirement = unused.remove(at: match)
            var sent: [String: JSONValue] = ["type": .string(type)]
            if let kind = document["document_type"] { sent["document_type"] = kind }
            if let country = document["country_code"] { sent["country_code"] = country }
            documents.append(["requirement_id": .string(requirement.id), "document": .object(sent)])
        }
        guard mappingProblems.isEmpty else { return .invalid(mappingProblems) }

        let contact = merged["contact_profile"] ?? .object([:])
        var body: [String: JSONValue] = [
            "contact_profile": [
                "first_name": contact["first_name"] ?? .null, "last_name": contact["last_name"] ?? .null,
                "email": contact["email"] ?? .null,
            ]
        ]
        if !documents.isEmpty { body["documents"] = .array(documents) }
        if let branch = merged["branch"] { body["branch"] = branch }
        return .body(.object(body))
    }
}
