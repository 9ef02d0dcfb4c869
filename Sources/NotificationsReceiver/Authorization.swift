import Foundation

/// Checks an `Authorization` header against the token, for the schemes the receiver accepts.
struct Authorization: Sendable {
    let token: ReceiverToken
    let schemes: Set<AuthScheme>

    /// Why a header was refused (a metric label and a log reason; never the header itself).
    enum Refusal: String, Sendable {
        case missing = "missing_authorization"
        case scheme = "wrong_scheme"
        case token = "wrong_token"
    }

    /// `nil` when `header` carries the token in an accepted scheme, else why not.
    func refusal(for header: String?) -> Refusal? {
        guard let header, !header.isEmpty else { return .missing }
        let parts = header.split(separator: " ", maxSplits: 1, omittingEmptySubsequences: true)
        guard parts.count == 2,
            let scheme = AuthScheme(rawValue: parts[0].lowercased()), schemes.contains(scheme)
        else { return .scheme }
        let credentials = parts[1].trimmingCharacters(in: .whitespaces)
        switch scheme {
        case .bearer:
            return token.matches(credentials.utf8) ? nil : .token
        case .basic:
            guard let decoded = Data(base64Encoded: credentials) else { return .token }
            return token.matches(decoded) ? nil : .token
        }
    }

    /// The `WWW-Authenticate` value of a 401: every accepted scheme, Basic first.
    var challenge: String {
        AuthScheme.allCases.filter(schemes.contains)
            .map { "\($0.headerName) realm=\"idv-batch notifications\"" }
            .joined(separator: ", ")
    }
}
