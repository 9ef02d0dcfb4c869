/// The 201 body of `POST /sessions`. Extra fields are ignored when decoding.
package struct CreateSessionResponse: Codable, Sendable, Hashable {
    /// Seconds the client session token has left (Yoti answers 599 for a requested 600).
    package var clientSessionTokenTTL: Int
    /// Bearer secret the applicant needs to open the session: never log it.
    package var clientSessionToken: String
    package var sessionID: String
    /// Present when the request used `session_deadline` (RFC 3339), otherwise usually absent.
    package var sessionDeadline: String?

    package init(
        clientSessionTokenTTL: Int, clientSessionToken: String, sessionID: String, sessionDeadline: String? = nil
    ) {
        self.clientSessionTokenTTL = clientSessionTokenTTL
        self.clientSessionToken = clientSessionToken
        self.sessionID = sessionID
        self.sessionDeadline = sessionDeadline
    }

    enum CodingKeys: String, CodingKey {
        case clientSessionTokenTTL = "client_session_token_ttl"
        case clientSessionToken = "client_session_token"
        case sessionID = "session_id"
        case sessionDeadline = "session_deadline"
    }
}

extension CreateSessionResponse: CustomStringConvertible, CustomDebugStringConvertible {
    /// Redacts the token: this type is printed in logs and test failures.
    package var description: String {
        "CreateSessionResponse(session_id: \(sessionID), client_session_token: <redacted>, ttl: \(clientSessionTokenTTL))"
    }
    package var debugDescription: String { description }
}
