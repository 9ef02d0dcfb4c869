extension SessionSpec {
    /// One of `requested_tasks[]`: `{"type": T, "config": {...}}`.
    package struct RequestedTask: JSONObjectView {
        package var json: JSONValue
        package init(json: JSONValue) { self.json = json }

        /// ``SessionSpecVocabulary/taskTypes``.
        package var type: String? {
            get { self[string: "type"] }
            set { self[string: "type"] = newValue }
        }
        package var config: Config? {
            get { self[view: "config"] }
            set { self[view: "config"] = newValue }
        }

        /// A task's `config`.
        package struct Config: JSONObjectView {
            package var json: JSONValue
            package init(json: JSONValue) { self.json = json }
            /// `ALWAYS`, `FALLBACK`, `NEVER`.
            package var manualCheck: String? {
                get { self[string: "manual_check"] }
                set { self[string: "manual_check"] = newValue }
            }
            /// ID_DOCUMENT_TEXT_DATA_EXTRACTION: `DESIRED` or `IGNORE`.
            package var chipData: String? {
                get { self[string: "chip_data"] }
                set { self[string: "chip_data"] = newValue }
            }
            /// ID_DOCUMENT_TEXT_DATA_EXTRACTION.
            package var createExpandedDocumentFields: Bool? {
                get { self[bool: "create_expanded_document_fields"] }
                set { self[bool: "create_expanded_document_fields"] = newValue }
            }
        }
    }
}
