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
    /// Accepted `PUT /sessions/{id}/instructions` calls (more than one: the client sent them again).
    package var instructionsPut = 0
    /// The letters the sandbox "emailed" to the applicant, in order (``LetterEmail``).
    package var lettersEmailed: [LetterEmail] = []
    /// Whether the spec subscribed to the `INSTRUCTIONS_EMAIL_REQUESTED` notification topic: Yoti then
    /// leaves the letter email to the client (`POST …/instructions/email`) instead of sending it when the
    /// instructions are put. Read when the session was created (kept after the spec is dropped).
    package var subscribesToEmailRequests = false

    /// One letter email the sandbox recorded.
    package struct LetterEmail: Sendable, Hashable {
        /// Why it went out.
        package enum Route: String, Sendable, Hashable {
            /// Yoti's own email when the instructions were put (the topic is not subscribed).
            case onInstructions = "on_instructions"
            /// The client asked with `POST /sessions/{id}/instructions/email`.
            case requested
        }
        /// The contact profile's email address at the time.
        package var to: String
        package var route: Route

        package init(to: String, route: Route) {
            self.to = to
            self.route = route
        }
    }

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
