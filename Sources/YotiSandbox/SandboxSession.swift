import Foundation
import YotiAPI

/// What the sandbox remembers about one created session.
public struct SandboxSession: Sendable, Hashable {
    /// Lifecycle states the sandbox reports in `GET /sessions/{id}`.
    public struct State: Sendable, Hashable, CustomStringConvertible {
        /// Yoti's wire value (`ONGOING`, `COMPLETED`, `EXPIRED`).
        public let rawValue: String
        /// The applicant may still act on the session.
        public static let ongoing = State(rawValue: "ONGOING")
        /// Checks finished (set by `YotiSandbox.completeSession(id:)`).
        public static let completed = State(rawValue: "COMPLETED")
        /// The client session token ran out.
        public static let expired = State(rawValue: "EXPIRED")
        public var description: String { rawValue }
    }

    /// The `session_id` answered on creation.
    public var id: String
    /// The SDK ID of the application that created it.
    public var sdkID: String
    /// The request's `user_tracking_id`, if any.
    public var userTrackingID: String?
    /// When the sandbox created it (sandbox clock).
    public var createdAt: Date
    /// When the client session token expires (sandbox clock).
    public var tokenExpiresAt: Date
    /// Whether the session was completed by `YotiSandbox.completeSession(id:)`.
    public var isCompleted: Bool
    /// Requirement ids reported by `GET /sessions/{id}/configuration`, by resource type.
    public var requirements: [Requirement]
    /// Whether IBV instructions were put.
    public var hasInstructions: Bool
    /// The spec as received; `nil` once the session is older than the spec retention limit.
    public var spec: JSONValue?

    /// One capture requirement of the session.
    public struct Requirement: Sendable, Hashable {
        /// Requirement id, as IBV instructions refer to it.
        public var id: String
        /// Resource type (`ID_DOCUMENT`, `SUPPLEMENTARY_DOCUMENT`, `LIVENESS`).
        public var type: String
    }

    /// The state at `now`: completed, expired once the token ran out, otherwise ongoing.
    public func state(at now: Date) -> State {
        if isCompleted { return .completed }
        return now < tokenExpiresAt ? .ongoing : .expired
    }

    /// Whole seconds the client session token has left at `now` (never negative).
    public func remainingTokenSeconds(at now: Date) -> Int {
        max(0, Int(tokenExpiresAt.timeIntervalSince(now).rounded(.down)))
    }
}
