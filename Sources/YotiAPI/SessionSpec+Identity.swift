extension SessionSpec {
    /// `subject`: `{subject_id}`.
    public struct Subject: JSONObjectView {
        public var json: JSONValue
        public init(json: JSONValue) { self.json = json }
        public var subjectID: String? {
            get { self[string: "subject_id"] }
            set { self[string: "subject_id"] = newValue }
        }
    }

    /// `import_token`: `{ttl}` in seconds.
    public struct ImportToken: JSONObjectView {
        public var json: JSONValue
        public init(json: JSONValue) { self.json = json }
        public var ttl: Int? {
            get { self[integer: "ttl"] }
            set { self[integer: "ttl"] = newValue }
        }
    }
}
