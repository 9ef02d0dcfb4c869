extension SessionSpec {
    /// `notifications`: where Yoti posts session updates, and how it authenticates to you.
    public struct Notifications: JSONObjectView {
        public var json: JSONValue
        public init(json: JSONValue) { self.json = json }

        /// Your HTTPS endpoint.
        public var endpoint: String? {
            get { self[string: "endpoint"] }
            set { self[string: "endpoint"] = newValue }
        }
        /// ``SessionSpecVocabulary/notificationTopics``.
        public var topics: [String]? {
            get { self[strings: "topics"] }
            set { self[strings: "topics"] = newValue }
        }
        /// A secret Yoti sends back to your endpoint: never logged (descriptions redact it).
        public var authToken: String? {
            get { self[string: "auth_token"] }
            set { self[string: "auth_token"] = newValue }
        }
        /// `BASIC` or `BEARER`.
        public var authType: String? {
            get { self[string: "auth_type"] }
            set { self[string: "auth_type"] = newValue }
        }
    }
}
