extension SessionSpec {
    /// One of `required_documents[]`: an ID document with an optional filter, or a supplementary
    /// document with types, countries and an objective.
    public struct RequiredDocument: JSONObjectView {
        public var json: JSONValue
        public init(json: JSONValue) { self.json = json }

        /// `ID_DOCUMENT` or `SUPPLEMENTARY_DOCUMENT`.
        public var type: String? {
            get { self[string: "type"] }
            set { self[string: "type"] = newValue }
        }
        public var filter: Filter? {
            get { self[view: "filter"] }
            set { self[view: "filter"] = newValue }
        }
        /// SUPPLEMENTARY_DOCUMENT: e.g. `UTILITY_BILL`, `BANK_STATEMENT`.
        public var documentTypes: [String]? {
            get { self[strings: "document_types"] }
            set { self[strings: "document_types"] = newValue }
        }
        /// SUPPLEMENTARY_DOCUMENT: ISO 3166 alpha-3 codes.
        public var countryCodes: [String]? {
            get { self[strings: "country_codes"] }
            set { self[strings: "country_codes"] = newValue }
        }
        /// SUPPLEMENTARY_DOCUMENT: `{"type": "PROOF_OF_ADDRESS" | "UK_DBS", "config": {}}`.
        public var objective: Objective? {
            get { self[view: "objective"] }
            set { self[view: "objective"] = newValue }
        }

        /// `filter`: ORTHOGONAL_RESTRICTIONS (country and type restrictions) or DOCUMENT_RESTRICTIONS.
        public struct Filter: JSONObjectView {
            public var json: JSONValue
            public init(json: JSONValue) { self.json = json }
            /// `ORTHOGONAL_RESTRICTIONS` or `DOCUMENT_RESTRICTIONS`.
            public var type: String? {
                get { self[string: "type"] }
                set { self[string: "type"] = newValue }
            }
            /// ORTHOGONAL_RESTRICTIONS: `{inclusion, country_codes[]}`.
            public var countryRestriction: Restriction? {
                get { self[view: "country_restriction"] }
                set { self[view: "country_restriction"] = newValue }
            }
            /// ORTHOGONAL_RESTRICTIONS: `{inclusion, document_types[]}`.
            public var typeRestriction: Restriction? {
                get { self[view: "type_restriction"] }
                set { self[view: "type_restriction"] = newValue }
            }
            /// DOCUMENT_RESTRICTIONS: `WHITELIST` or `BLACKLIST`.
            public var inclusion: String? {
                get { self[string: "inclusion"] }
                set { self[string: "inclusion"] = newValue }
            }
            /// DOCUMENT_RESTRICTIONS: `[{country_codes[], document_types[]}]`.
            public var documents: [Restriction]? {
                get { self[views: "documents"] }
                set { self[views: "documents"] = newValue }
            }
            public var allowNonLatinDocuments: Bool? {
                get { self[bool: "allow_non_latin_documents"] }
                set { self[bool: "allow_non_latin_documents"] = newValue }
            }
            public var allowExpiredDocuments: Bool? {
                get { self[bool: "allow_expired_documents"] }
                set { self[bool: "allow_expired_documents"] = newValue }
            }
        }

        /// A country and/or document-type restriction (`inclusion` is absent inside DOCUMENT_RESTRICTIONS entries).
        public struct Restriction: JSONObjectView {
            public var json: JSONValue
            public init(json: JSONValue) { self.json = json }
            /// `WHITELIST` or `BLACKLIST`.
            public var inclusion: String? {
                get { self[string: "inclusion"] }
                set { self[string: "inclusion"] = newValue }
            }
            /// ISO 3166 alpha-3 codes.
            public var countryCodes: [String]? {
                get { self[strings: "country_codes"] }
                set { self[strings: "country_codes"] = newValue }
            }
            /// `PASSPORT`, `DRIVING_LICENCE`, ...
            public var documentTypes: [String]? {
                get { self[strings: "document_types"] }
                set { self[strings: "document_types"] = newValue }
            }
        }

        /// A supplementary document's `objective`.
        public struct Objective: JSONObjectView {
            public var json: JSONValue
            public init(json: JSONValue) { self.json = json }
            /// `PROOF_OF_ADDRESS` or `UK_DBS`.
            public var type: String? {
                get { self[string: "type"] }
                set { self[string: "type"] = newValue }
            }
            public var config: JSONValue? {
                get { self[json: "config"] }
                set { self[json: "config"] = newValue }
            }
        }
    }
}
