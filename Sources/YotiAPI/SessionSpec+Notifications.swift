extension SessionSpec {
    /// `notifications`: where Yoti posts session updates, and how it authenticates to you.
    package struct Notifications: JSONObjectView {
        package var json: JSONValue
        package init(json: JSONValue) { self.json = json }

        /// Your HTTPS endpoint.
        package var endpoint: String? {
            get { self[string: "endpoint"] }
            set { self[string: "endpoint"] = newValue }
        }
        /// ``SessionSpecVocabulary/notificationTopics``.
        package var topics: [String]? {
            get { self[strings: "topics"] }
            set { self[strings: "topics"] = newValue }
        }
        /// A secret Yoti sends back to your endpoint: never logged (descriptions redact it).
        package var authToken: String? {
            get { self[string: "auth_token"] }
            set { self[string: "auth_token"] = newValue }
        }
        /// `BASIC` or `BEARER`.
        package var authType: String? {
            get { self[string: "auth_type"] }
            set { self[string: "auth_type"] = newValue }
        }
    }
}
