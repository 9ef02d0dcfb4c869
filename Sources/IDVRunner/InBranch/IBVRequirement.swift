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
            var documentTypes: [String] = []
            var countryCodes: [String] = []
            for restriction in resource["filter"]?["documents"]?.arrayValue ?? [] {
                documentTypes += (restriction["document_types"]?.arrayValue ?? []).compactMap(\.stringValue)
                countryCodes += (restriction["country_codes"]?.arrayValue ?? []).compactMap(\.stringValue)
            }
            return IBVRequirement(id: id, type: type, documentTypes: documentTypes, countryCodes: countryCodes)
        }
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
