extension SessionSpec {
    /// One of `required_documents[]`: an ID document with an optional filter, or a supplementary
    /// document with types, countries and an objective.
    package struct RequiredDocument: JSONObjectView {
        package var json: JSONValue
        package init(json: JSONValue) { self.json = json }

        /// `ID_DOCUMENT` or `SUPPLEMENTARY_DOCUMENT`.
        package var type: String? {
            get { self[string: "type"] }
            set { self[string: "type"] = newValue }
        }
        package var filter: Filter? {
            get { self[view: "filter"] }
            set { self[view: "filter"] = newValue }
        }
        /// SUPPLEMENTARY_DOCUMENT: e.g. `UTILITY_BILL`, `BANK_STATEMENT`.
        package var documentTypes: [String]? {
            get { self[strings: "document_types"] }
            set { self[strings: "document_types"] = newValue }
        }
        /// SUPPLEMENTARY_DOCUMENT: ISO 3166 alpha-3 codes.
        package var countryCodes: [String]? {
            get { self[strings: "country_codes"] }
            set { self[strings: "country_codes"] = newValue }
        }
        /// SUPPLEMENTARY_DOCUMENT: `{"type": "PROOF_OF_ADDRESS" | "UK_DBS", "config": {}}`.
        package var objective: Objective? {
            get { self[view: "objective"] }
            set { self[view: "objective"] = newValue }
        }

        /// `filter`: ORTHOGONAL_RESTRICTIONS (country and type restrictions) or DOCUMENT_RESTRICTIONS.
        package struct Filter: JSONObjectView {
            package var json: JSONValue
            package init(json: JSONValue) { self.json = json }
            /// `ORTHOGONAL_RESTRICTIONS` or `DOCUMENT_RESTRICTIONS`.
            package var type: String? {
                get { self[string: "type"] }
                set { self[string: "type"] = newValue }
            }
            /// ORTHOGONAL_RESTRICTIONS: `{inclusion, country_codes[]}`.
            package var countryRestriction: Restriction? {
                get { self[view: "country_restriction"] }
                set { self[view: "country_restriction"] = newValue }
            }
            /// ORTHOGONAL_RESTRICTIONS: `{inclusion, document_types[]}`.
            package var typeRestriction: Restriction? {
                get { self[view: "type_restriction"] }
                set { self[view: "type_restriction"] = newValue }
            }
            /// DOCUMENT_RESTRICTIONS: `WHITELIST` or `BLACKLIST`.
            package var inclusion: String? {
                get { self[string: "inclusion"] }
                set { self[string: "inclusion"] = newValue }
            }
            /// DOCUMENT_RESTRICTIONS: `[{country_codes[], document_types[]}]`.
            package var documents: [Restriction]? {
                get { self[views: "documents"] }
                set { self[views: "documents"] = newValue }
            }
            package var allowNonLatinDocuments: Bool? {
                get { self[bool: "allow_non_latin_documents"] }
                set { self[bool: "allow_non_latin_documents"] = newValue }
            }
            package var allowExpiredDocuments: Bool? {
                get { self[bool: "allow_expired_documents"] }
                set { self[bool: "allow_expired_documents"] = newValue }
            }
        }

        /// A country and/or document-type restriction (`inclusion` is absent inside DOCUMENT_RESTRICTIONS entries).
        package struct Restriction: JSONObjectView {
            package var json: JSONValue
            package init(json: JSONValue) { self.json = json }
            /// `WHITELIST` or `BLACKLIST`.
            package var inclusion: String? {
                get { self[string: "inclusion"] }
                set { self[string: "inclusion"] = newValue }
            }
            /// ISO 3166 alpha-3 codes.
            package var countryCodes: [String]? {
                get { self[strings: "country_codes"] }
                set { self[strings: "country_codes"] = newValue }
            }
            /// `PASSPORT`, `DRIVING_LICENCE`, ...
            package var documentTypes: [String]? {
                get { self[strings: "document_types"] }
                set { self[strings: "document_types"] = newValue }
            }
        }

        /// A supplementary document's `objective`.
        package struct Objective: JSONObjectView {
            package var json: JSONValue
            package init(json: JSONValue) { self.json = json }
            /// `PROOF_OF_ADDRESS` or `UK_DBS`.
            package var type: String? {
                get { self[string: "type"] }
                set { self[string: "type"] = newValue }
            }
            package var config: JSONValue? {
                get { self[json: "config"] }
                set { self[json: "config"] = newValue }
            }
        }
    }
}
