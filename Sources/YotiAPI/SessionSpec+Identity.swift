extension SessionSpec {
    /// `subject`: `{subject_id}`.
    package struct Subject: JSONObjectView {
        package var json: JSONValue
        package init(json: JSONValue) { self.json = json }
        package var subjectID: String? {
            get { self[string: "subject_id"] }
            set { self[string: "subject_id"] = newValue }
        }
    }

    /// `import_token`: `{ttl}` in seconds.
    package struct ImportToken: JSONObjectView {
        package var json: JSONValue
        package init(json: JSONValue) { self.json = json }
        package var ttl: Int? {
            get { self[integer: "ttl"] }
            set { self[integer: "ttl"] = newValue }
        }
    }
}
