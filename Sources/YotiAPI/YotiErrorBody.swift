/// The JSON error body Yoti answers with (docs/yoti-api.md section 5):
/// `{"code": str, "message"?: str, "errors"?: [{"property": "dotted.path", "message": str}]}`.
package struct YotiErrorBody: Codable, Sendable, Hashable {
    /// One problem with one property of the request.
    package struct PropertyError: Codable, Sendable, Hashable {
        package var property: String?
        package var message: String?
        package init(property: String?, message: String?) {
            self.property = property
            self.message = message
        }
    }

    package var code: String
    package var message: String?
    package var errors: [PropertyError]?

    package init(code: String, message: String? = nil, errors: [PropertyError]? = nil) {
        self.code = code
        self.message = message
        self.errors = errors
    }
}
