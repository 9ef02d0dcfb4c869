import Foundation
import YotiAPI

/// What the sandbox remembers about one created session.
package struct SandboxSession: Sendable, Hashable {
    /// Lifecycle states the sandbox reports in `GET /sessions/{id}`.
    package struct State: Sendable, Hashable, CustomStringConvertible {
        /// Yoti's wire value (`ONGOING`, `COMPLETED`, `EXPIRED`).
        package let rawValue: String
        /// The applicant may still act on the session.
        package static let ongoing = State(rawValue: "ONGOING")
        /// Checks finished (set by `YotiSandbox.completeSession(id:)`).
        package static let completed = State(rawValue: "COMPLETED")
        /// The client session token ran out.
        package static let expired = State(rawValue: "EXPIRED")
        package var description: String { rawValue }
    }

    /// The `session_id` answered on creation.
    package var id: String
    /// The SDK ID of the application that created it.
    package var sdkID: String
    /// The request's `user_tracking_id`, if any.
    package var userTrackingID: String?
    /// When the sandbox created it (sandbox clock).
    package var createdAt: Date
    /// When the client session token expires (sandbox clock).
    package var tokenExpiresAt: Date
    /// Whether the session was completed by `YotiSandbox.completeSession(id:)`.
    package var isCompleted: Bool
    /// Requirement ids reported by `GET /sessions/{id}/configuration`, by resource type.
    package var requirements: [Requirement]
    /// Whether IBV instructions were put.
    package var hasInstructions: Bool
    /// The last IBV instructions put (the letter names the applicant and the documents from them).
    package var instructions: JSONValue? = nil
    /// The spec as received; `nil` once the session is older than the spec retention limit.
    package var spec: JSONValue?

    /// One capture requirement of the session.
    package struct Requirement: Sendable, Hashable {
        /// Requirement id, as IBV instructions refer to it.
        package var id: String
        /// Resource type (`ID_DOCUMENT`, `SUPPLEMENTARY_DOCUMENT`, `LIVENESS`).
        package var type: String
        /// The required document's `filter`, reported as Yoti reports it.
        package var filter: JSONValue? = nil
    }

    /// The state at `now`: completed, expired once the token ran out, otherwise ongoing.
    package func state(at now: Date) -> State {
        if isCompleted { return .completed }
        return now < tokenExpiresAt ? .ongoing : .expired
    }

    /// Whole seconds the client session token has left at `now` (never negative).
    package func remainingTokenSeconds(at now: Date) -> Int {
        max(0, Int(tokenExpiresAt.timeIntervalSince(now).rounded(.down)))
    }
}
