/// An `Authorization` scheme Yoti uses, per the session spec's `notifications.auth_type`.
package enum AuthScheme: String, Sendable, CaseIterable, Hashable {
    /// `Authorization: Basic <base64 of the token>` (`auth_type` BASIC).
    case basic
    /// `Authorization: Bearer <token>` (`auth_type` BEARER).
    case bearer

    /// The scheme as written in the header and in `WWW-Authenticate`.
    var headerName: String {
        switch self {
        case .basic: "Basic"
        case .bearer: "Bearer"
        }
    }
}
