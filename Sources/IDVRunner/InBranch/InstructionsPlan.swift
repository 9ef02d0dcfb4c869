import YotiAPI

/// Builds the `PUT /sessions/{id}/instructions` body for one row: its `ibv_instructions` merged over the
/// configuration's `ibv_defaults` (RFC 7386), validated locally, documents mapped to the session's
/// requirement ids (by requirement type, then the requirement's document filter; each requirement used once).
/// A document requirement the row names no document for gets the one document its filter allows; when the
/// filter allows several (or any), the row cannot be sent: its letter would not say what to bring.
enum InstructionsPlan {
    /// The body, or why nothing can be sent (paths as in ``IBVInstructionsValidator``).
    enum Result: Sendable {
        case body(JSONValue)
        case invalid([String])
    }

    /// Why a row cannot be sent when it names no document for `requirement` and the configuration allows
    /// several: the same words at `enqueue`, `--dry-run` and the step, naming what chooses the document.
    static func missingDocument(_ requirement: IBVRequirement) -> String {
        let kinds =
            requirement.documentTypes.isEmpty ? "any document" : requirement.documentTypes.joined(separator: ", ")
        let countries =
            requirement.countryCodes.isEmpty ? "any country" : requirement.countryCodes.joined(separator: ", ")
        return "requirement \(requirement.id) (\(requirement.type)) has no document and the configuration allows "
            + "several (\(kinds) from \(countries)): choose the one the applicant will bring with the CSV columns "
            + "document_type and document_country (JSON Lines: ibv_instructions.documents[].document_type and "
            + "country_code), or name a default in the configuration's ibv_defaults.documents"
    }

    /// The row's instructions merged (RFC 7386) over the configuration's defaults.
    static func merge(instructions: JSONValue?, defaults: JSONValue?) -> JSONValue {
        var merged = defaults ?? .object([:])
        if let instructions { merged = JSONMergePatch.apply(instructions, to: merged) }
        return merged
    }

    /// What `enqueue` and `run --dry-run` can tell before the session exists, for a row whose composed spec
    /// is `spec`: nothing when it is not In-Branch; else the documents problems against the spec's
    /// `required_documents` (the words of the step), and, with letters by email, a spec that subscribes to
    /// `INSTRUCTIONS_EMAIL_REQUESTED` (``RequestEmailStep/emailRevoked``).
    /// - Parameter letters: how letters will be delivered; `nil`: not known (not checked).
    static func problemsBeforeCreation(
        spec: JSONValue, instructions: JSONValue?, defaults: JSONValue?, letters: LetterDelivery?
    ) -> [String] {
        guard spec["ibv_options"]?["support"]?.stringValue == "MANDATORY" else { return [] }
        var problems: [String] = []
        if letters == .email,
            spec["notifications"]?["topics"]?.arrayValue?.contains(where: {
                $0.stringValue == "INSTRUCTIONS_EMAIL_REQUESTED"
            }) == true
        {
            problems.append(RequestEmailStep.emailRevoked)
        }
        let merged = merge(instructions: instructions, defaults: defaults)
        problems += Self.documents(of: merged, requirements: IBVRequirement.list(fromSpec: spec)).problems
        return problems
    }

    /// The `documents` of the body: each of the row's documents mapped to an unused requirement that accepts
    /// it, then every document requirement left given its only allowed document; or why not.
    static func documents(of merged: JSONValue, requirements: [IBVRequirement]) -> (
        documents: [JSONValue], problems: [String]
    ) {
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
        // Every document requirement needs a document, or the letter tells nobody what to bring.
        for requirement in unused where requirement.needsDocument {
            guard let only = requirement.onlyDocument else {
                mappingProblems.append(missingDocument(requirement))
                continue
            }
            documents.append(["requirement_id": .string(requirement.id), "document": only])
        }
        return (documents, mappingProblems)
    }

    static func body(instructions: JSONValue?, defaults: JSONValue?, requirements: [IBVRequirement]) -> Result {
        let merged = merge(instructions: instructions, defaults: defaults)
        let problems = IBVInstructionsValidator.problems(in: merged)
        guard problems.isEmpty else { return .invalid(problems.map(\.description)) }
        let (documents, mappingProblems) = Self.documents(of: merged, requirements: requirements)
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
