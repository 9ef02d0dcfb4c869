extension SessionSpec {
    /// One of `requested_checks[]`: `{"type": T, "config": {...}}`.
    package struct RequestedCheck: JSONObjectView {
        package var json: JSONValue
        package init(json: JSONValue) { self.json = json }

        /// Creates a check of a type with a config.
        package init(type: String, config: Config = Config()) {
            self.init()
            self.type = type
            self.config = config
        }

        /// ``SessionSpecVocabulary/checkTypes``.
        package var type: String? {
            get { self[string: "type"] }
            set { self[string: "type"] = newValue }
        }
        package var config: Config? {
            get { self[view: "config"] }
            set { self[view: "config"] = newValue }
        }

        /// A check's `config`: the union of the fields documented for each check type.
        package struct Config: JSONObjectView {
            package var json: JSONValue
            package init(json: JSONValue) { self.json = json }

            /// `ALWAYS`, `FALLBACK`, `NEVER`, or `IBV` for in-branch checks.
            package var manualCheck: String? {
                get { self[string: "manual_check"] }
                set { self[string: "manual_check"] = newValue }
            }
            /// LIVENESS: `ZOOM` or `STATIC`.
            package var livenessType: String? {
                get { self[string: "liveness_type"] }
                set { self[string: "liveness_type"] = newValue }
            }
            /// LIVENESS: retries allowed.
            package var maxRetries: Int? {
                get { self[integer: "max_retries"] }
                set { self[integer: "max_retries"] = newValue }
            }
            /// WATCHLIST_SCREENING: `ADVERSE-MEDIA`, `SANCTIONS`.
            package var categories: [String]? {
                get { self[strings: "categories"] }
                set { self[strings: "categories"] = newValue }
            }
            /// DOCUMENT_SCHEME_VALIDITY_CHECK: the scheme, e.g. `UK_DBS`.
            package var scheme: String? {
                get { self[string: "scheme"] }
                set { self[string: "scheme"] = newValue }
            }
            /// WATCHLIST_ADVANCED_CA: `WITH_YOTI_ACCOUNT` or `WITH_CUSTOM_ACCOUNT`.
            package var type: String? {
                get { self[string: "type"] }
                set { self[string: "type"] = newValue }
            }
            /// WATCHLIST_ADVANCED_CA.
            package var removeDeceased: Bool? {
                get { self[bool: "remove_deceased"] }
                set { self[bool: "remove_deceased"] = newValue }
            }
            /// WATCHLIST_ADVANCED_CA.
            package var shareURL: Bool? {
                get { self[bool: "share_url"] }
                set { self[bool: "share_url"] = newValue }
            }
            /// WATCHLIST_ADVANCED_CA: `{"type": "TYPE_LIST", "types": [...]}` or `{"type": "PROFILE", "search_profile": ...}`.
            package var sources: Sources? {
                get { self[view: "sources"] }
                set { self[view: "sources"] = newValue }
            }
            /// WATCHLIST_ADVANCED_CA: `{"type": "EXACT", "exact_match": bool}` or `{"type": "FUZZY", "fuzziness": 0...1}`.
            package var matchingStrategy: MatchingStrategy? {
                get { self[view: "matching_strategy"] }
                set { self[view: "matching_strategy"] = newValue }
            }
            /// WATCHLIST_ADVANCED_CA with a custom account: the ComplyAdvantage API key — a secret.
            package var apiKey: String? {
                get { self[string: "api_key"] }
                set { self[string: "api_key"] = newValue }
            }
            /// WATCHLIST_ADVANCED_CA with a custom account.
            package var monitoring: Bool? {
                get { self[bool: "monitoring"] }
                set { self[bool: "monitoring"] = newValue }
            }
            /// WATCHLIST_ADVANCED_CA with a custom account: string tags.
            package var tags: [String: String]? {
                get { self[json: "tags"]?.objectValue?.compactMapValues(\.stringValue) }
                set { self[json: "tags"] = newValue.map { .object($0.mapValues(JSONValue.string)) } }
            }
            /// WATCHLIST_ADVANCED_CA with a custom account.
            package var clientRef: String? {
                get { self[string: "client_ref"] }
                set { self[string: "client_ref"] = newValue }
            }
        }

        /// WATCHLIST_ADVANCED_CA `sources`.
        package struct Sources: JSONObjectView {
            package var json: JSONValue
            package init(json: JSONValue) { self.json = json }
            /// `TYPE_LIST` or `PROFILE`.
            package var type: String? {
                get { self[string: "type"] }
                set { self[string: "type"] = newValue }
            }
            /// TYPE_LIST: ComplyAdvantage list types (`pep`, `sanction`, ...).
            package var types: [String]? {
                get { self[strings: "types"] }
                set { self[strings: "types"] = newValue }
            }
            /// PROFILE: a ComplyAdvantage search profile id.
            package var searchProfile: String? {
                get { self[string: "search_profile"] }
                set { self[string: "search_profile"] = newValue }
            }
        }

        /// WATCHLIST_ADVANCED_CA `matching_strategy`.
        package struct MatchingStrategy: JSONObjectView {
            package var json: JSONValue
            package init(json: JSONValue) { self.json = json }
            /// `EXACT` or `FUZZY`.
            package var type: String? {
                get { self[string: "type"] }
                set { self[string: "type"] = newValue }
            }
            /// EXACT.
            package var exactMatch: Bool? {
                get { self[bool: "exact_match"] }
                set { self[bool: "exact_match"] = newValue }
            }
            /// FUZZY: 0 (loose) to 1 (strict).
            package var fuzziness: Double? {
                get { self[number: "fuzziness"] }
                set { self[number: "fuzziness"] = newValue }
            }
        }
    }
}
