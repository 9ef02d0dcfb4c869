import Foundation
import YotiAPI

/// A session Yoti created: its response plus when the request was sent, from which the token's
/// expiry is computed conservatively (send time + remaining ttl: never later than the truth).
public struct CreatedSession: Sendable {
    /// Yoti's 201 body. Its `description` redacts the client session token.
    public var response: CreateSessionResponse
    /// Taken immediately before the request was handed to the HTTP client.
    public var sentAt: Date
    /// `sentAt + response.clientSessionTokenTTL`.
    public var tokenExpiresAt: Date
    /// The `x-request-id` response header, if any.
    public var requestID: String?
    /// The HTTP status (201).
    public var httpStatus: Int

    /// Creates a value, computing `tokenExpiresAt` from `sentAt` and the response's ttl.
    public init(response: CreateSessionResponse, sentAt: Date, requestID: String?, httpStatus: Int) {
        self.response = response
        self.sentAt = sentAt
        self.tokenExpiresAt = sentAt.addingTimeInterval(TimeInterval(response.clientSessionTokenTTL))
        self.requestID = requestID
        self.httpStatus = httpStatus
    }
}

extension CreatedSession: CustomStringConvertible, CustomDebugStringConvertible {
    /// Redacted: shows the session id and expiry, never the client session token.
    public var description: String {
        "CreatedSession(session_id: \(response.sessionID), token: <redacted>, expires: \(tokenExpiresAt), request_id: \(requestID ?? "-"))"
    }
    public var debugDescription: String { description }
}
