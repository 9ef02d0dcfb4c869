/// The JSON error body Yoti answers with (yoti-api.md section 5):
/// `{"code": str, "message"?: str, "errors"?: [{"property": "dotted.path", "message": str}]}`.
public struct YotiErrorBody: Codable, Sendable, Hashable {
    /// One problem with one property of the request.
    public struct PropertyError: Codable, Sendable, Hashable {
        public var property: String?
        public var message: String?
        public init(property: String?, message: String?) {
            self.property = property
            self.message = message
        }
    }

    public var code: String
    public var message: String?
    public var errors: [PropertyError]?

    public init(code: String, message: String? = nil, errors: [PropertyError]? = nil) {
        self.code = code
        self.message = message
        self.errors = errors
    }
}
