import Foundation
import YotiAPI

/// A session Yoti created: its response plus when the request was sent, from which the token's
/// expiry is computed conservatively (send time + remaining ttl: never later than the truth).
package struct CreatedSession: Sendable {
    /// Yoti's 201 body. Its `description` redacts the client session token.
    package var response: CreateSessionResponse
    /// Taken immediately before the request was handed to the HTTP client.
    package var sentAt: Date
    /// `sentAt + response.clientSessionTokenTTL`.
    package var tokenExpiresAt: Date
    /// The `x-request-id` response header, if any.
    package var requestID: String?
    /// The HTTP status (201).
    package var httpStatus: Int

    /// Creates a value, computing `tokenExpiresAt` from `sentAt` and the response's ttl.
    package init(response: CreateSessionResponse, sentAt: Date, requestID: String?, httpStatus: Int) {
        self.response = response
        self.sentAt = sentAt
        self.tokenExpiresAt = sentAt.addingTimeInterval(TimeInterval(response.clientSessionTokenTTL))
        self.requestID = requestID
        self.httpStatus = httpStatus
    }
}

extension CreatedSession: CustomStringConvertible, CustomDebugStringConvertible {
    /// Redacted: shows the session id and expiry, never the client session token.
    package var description: String {
        "CreatedSession(session_id: \(response.sessionID), token: <redacted>, expires: \(tokenExpiresAt), request_id: \(requestID ?? "-"))"
    }
    package var debugDescription: String { description }
}
