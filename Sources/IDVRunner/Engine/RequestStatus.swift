/// A verification request's state: `verification_requests.status` (the public state machine
/// `pending → in_progress → created | pending | failed`, and `expired` / `cancelled` set by commands).
package enum RequestStatus: String, Sendable, Hashable, CaseIterable, CustomStringConvertible {
    /// Waiting for `POST /sessions` (new, or a retry scheduled in `next_attempt_at`).
    case pending
    /// Claimed by a worker, its call under way.
    case inProgress = "in_progress"
    /// The session exists at Yoti: id, client session token and expiries stored.
    case created
    /// Given up: a permanent error, or the maximum attempts reached.
    case failed
    /// Its session or client session token expired (`expire`).
    case expired
    /// Withdrawn before or after its session was created (`cancel`).
    case cancelled

    /// The database string.
    package var description: String { rawValue }
}
