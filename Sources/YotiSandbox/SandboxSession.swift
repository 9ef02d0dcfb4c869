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
    /// When its `201` was written to the connection (sandbox clock); `nil` until then, and for ever when the
    /// client was gone. A busy sandbox may write well after ``createdAt``: this is when the client was answered.
    package var answeredAt: Date? = nil
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
    /// The letters the sandbox "emailed" to the applicant on request, in order (``LetterEmail``).
    package var lettersEmailed: [LetterEmail] = []
    /// `POST …/instructions/email` requests answered with an `INSTRUCTIONS_EMAIL_REQUESTED` notification
    /// instead of an email (the session subscribes to that topic).
    package var emailRequestsNotified = 0
    /// Whether the spec subscribed to the `INSTRUCTIONS_EMAIL_REQUESTED` notification topic: Yoti then
    /// emails nobody; an email request becomes a notification to the firm, which delivers the letter.
    /// Read when the session was created (kept after the spec is dropped).
    package var subscribesToEmailRequests = false

    /// One letter email the sandbox recorded.
    package struct LetterEmail: Sendable, Hashable {
        /// The contact profile's email address at the time.
        package var to: String

        package init(to: String) {
            self.to = to
        }
    }

    /// What the simulated applicant does (``ApplicantSimulation``), drawn at creation.
    package var fate: Fate = .staysOngoing
    /// When the fate happens (sandbox clock); `nil`: never.
    package var fateDueAt: Date? = nil
    /// The types of the checks `GET` reports (the spec's `requested_checks`, or an ID document authenticity check).
    package var checkTypes: [String] = ["ID_DOCUMENT_AUTHENTICITY"]

    /// A simulated applicant's fate.
    package enum Fate: Sendable, Hashable {
        /// The session stays ongoing until its token expires.
        case staysOngoing
        /// The applicant finishes: `COMPLETED`, overall recommendation `APPROVE`, `REJECT` or `NOT_AVAILABLE`.
        case completes(recommendation: String)
        /// The applicant abandons the session: `EXPIRED`.
        case expires
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
        if let due = fateDueAt, now >= due {
            switch fate {
            case .completes: return .completed
            case .expires: return .expired
            case .staysOngoing: break
            }
        }
        return now < tokenExpiresAt ? .ongoing : .expired
    }

    /// The overall recommendation of a completed session at `now` (`APPROVE` for one completed by
    /// `YotiSandbox.completeSession(id:)`); `nil` while not completed.
    package func recommendation(at now: Date) -> String? {
        guard state(at: now) == .completed else { return nil }
        if case .completes(let value) = fate { return value }
        return "APPROVE"
    }

    /// The checks as `GET /sessions/{id}` reports them at `now`: `DONE` with a report once completed (the
    /// first check carries a REJECT or NOT_AVAILABLE, the others approve), `PENDING` while ongoing, none
    /// once expired unfinished.
    package func checks(at now: Date) -> [JSONValue] {
        let current = state(at: now)
        guard current != .expired else { return [] }
        let overall = recommendation(at: now)
        return checkTypes.enumerated().map { index, type in
            var check: [String: JSONValue] = [
                "id": .string("\(id)-check-\(index)"), "type": .string(type), "resources_used": [],
                "created": .string(createdAt.formatted(.iso8601)),
            ]
            guard let overall else {
                check["state"] = "PENDING"
                return .object(check)
            }
            check["state"] = "DONE"
            var recommendation: [String: JSONValue] = ["value": "APPROVE"]
            if index == 0 && overall == "REJECT" {
                recommendation = ["value": "REJECT", "reason": "COUNTERFEIT"]
            } else if index == 0 && overall == "NOT_AVAILABLE" {
                recommendation = [
                    "value": "NOT_AVAILABLE", "reason": "PHOTO_TOO_BLURRY", "recovery_suggestion": "BETTER_LIGHTING",
                ]
            }
            check["report"] = ["recommendation": .object(recommendation), "breakdown": []]
            return .object(check)
        }
    }

    /// Whole seconds the client session token has left at `now` (never negative).
    package func remainingTokenSeconds(at now: Date) -> Int {
        max(0, Int(tokenExpiresAt.timeIntervalSince(now).rounded(.down)))
    }
}
