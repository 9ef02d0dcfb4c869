extension SessionSpec {
    /// One of `requested_tasks[]`: `{"type": T, "config": {...}}`.
    public struct RequestedTask: JSONObjectView {
        public var json: JSONValue
        public init(json: JSONValue) { self.json = json }

        /// ``SessionSpecVocabulary/taskTypes``.
        public var type: String? {
            get { self[string: "type"] }
            set { self[string: "type"] = newValue }
        }
        public var config: Config? {
            get { self[view: "config"] }
            set { self[view: "config"] = newValue }
        }

        /// A task's `config`.
        public struct Config: JSONObjectView {
            public var json: JSONValue
            public init(json: JSONValue) { self.json = json }
            /// `ALWAYS`, `FALLBACK`, `NEVER`.
            public var manualCheck: String? {
                get { self[string: "manual_check"] }
                set { self[string: "manual_check"] = newValue }
            }
            /// ID_DOCUMENT_TEXT_DATA_EXTRACTION: `DESIRED` or `IGNORE`.
            public var chipData: String? {
                get { self[string: "chip_data"] }
                set { self[string: "chip_data"] = newValue }
            }
            /// ID_DOCUMENT_TEXT_DATA_EXTRACTION.
            public var createExpandedDocumentFields: Bool? {
                get { self[bool: "create_expanded_document_fields"] }
                set { self[bool: "create_expanded_document_fields"] = newValue }
            }
        }
    }
}
