import YotiAPI

/// One capture requirement of a session, as `GET /sessions/{id}/configuration` reports it, reduced to
/// what mapping documents needs (stored in `ibv_requirements`).
struct IBVRequirement: Sendable, Hashable {
    var id: String
    /// `ID_DOCUMENT`, `SUPPLEMENTARY_DOCUMENT`, `LIVENESS`, ...
    var type: String
    /// Document types the requirement's filter allows; empty: any.
    var documentTypes: [String]
    /// Countries the requirement's filter allows; empty: any.
    var countryCodes: [String]

    /// The requirements in a configuration body (`capture.required_resources[]`), filters included
    /// (`filter.documents[].document_types` / `country_codes`, as Yoti's document restrictions list them).
    static func list(fromConfiguration configuration: JSONValue) -> [IBVRequirement] {
        (configuration["capture"]?["required_resources"]?.arrayValue ?? []).compactMap { resource in
            guard let id = resource["id"]?.stringValue, let type = resource["type"]?.stringValue else { return nil }
            return IBVRequirement(id: id, type: type, filter: resource["filter"])
        }
    }

    /// The document requirements a session spec asks for (`required_documents[]`, an ID document when it lists
    /// none, as a session without them requires one), named by their place in the spec: what `enqueue` and
    /// `--dry-run` can know before the session exists.
    static func list(fromSpec spec: JSONValue) -> [IBVRequirement] {
        let documents = spec["required_documents"]?.arrayValue ?? []
        guard !documents.isEmpty else {
            return [IBVRequirement(id: "required_documents (none: an ID document)", type: "ID_DOCUMENT")]
        }
        return documents.enumerated().map { index, document in
            IBVRequirement(
                id: "required_documents[\(index)]", type: document["type"]?.stringValue ?? "ID_DOCUMENT",
                filter: document["filter"])
        }
    }

    /// A requirement with a document filter as Yoti writes it. A `BLACKLIST` filter names what is refused,
    /// so it restricts nothing this type can check: any document is taken as allowed.
    init(id: String, type: String, filter: JSONValue?) {
        var documentTypes: [String] = []
        var countryCodes: [String] = []
        if filter?["inclusion"]?.stringValue?.uppercased() != "BLACKLIST" {
            for restriction in filter?["documents"]?.arrayValue ?? [] {
                documentTypes += (restriction["document_types"]?.arrayValue ?? []).compactMap(\.stringValue)
                countryCodes += (restriction["country_codes"]?.arrayValue ?? []).compactMap(\.stringValue)
            }
        }
        var seen = Set<String>()
        self.init(
            id: id, type: type, documentTypes: documentTypes.filter { seen.insert("t" + $0).inserted },
            countryCodes: countryCodes.filter { seen.insert("c" + $0).inserted })
    }

    /// Whether the applicant brings a document for it (ID or supplementary document; not liveness).
    var needsDocument: Bool { type.hasSuffix("_DOCUMENT") }

    /// The one document (type and country) this requirement allows, in row shape; `nil` when it allows several.
    var onlyDocument: JSONValue? {
        guard needsDocument, documentTypes.count == 1, countryCodes.count == 1 else { return nil }
        return [
            "type": .string(type), "document_type": .string(documentTypes[0]), "country_code": .string(countryCodes[0]),
        ]
    }

    var json: JSONValue {
        [
            "id": .string(id), "type": .string(type), "document_types": .array(documentTypes.map { .string($0) }),
            "country_codes": .array(countryCodes.map { .string($0) }),
        ]
    }

    init(id: String, type: String, documentTypes: [String] = [], countryCodes: [String] = []) {
        self.id = id
        self.type = type
        self.documentTypes = documentTypes
        self.countryCodes = countryCodes
    }

    /// Reads one stored requirement (``json``).
    init?(stored: JSONValue) {
        guard let id = stored["id"]?.stringValue, let type = stored["type"]?.stringValue else { return nil }
        self.init(
            id: id, type: type, documentTypes: (stored["document_types"]?.arrayValue ?? []).compactMap(\.stringValue),
            countryCodes: (stored["country_codes"]?.arrayValue ?? []).compactMap(\.stringValue))
    }

    /// Whether `document` (row shape: `type`, `document_type`, `country_code`) can satisfy this requirement.
    func accepts(_ document: JSONValue) -> Bool {
        guard type == (document["type"]?.stringValue ?? "ID_DOCUMENT") else { return false }
        if !documentTypes.isEmpty, let kind = document["document_type"]?.stringValue, !documentTypes.contains(kind) {
            return false
        }
        if !countryCodes.isEmpty, let country = document["country_code"]?.stringValue, !countryCodes.contains(country) {
            return false
        }
        return true
    }
}
