/// A snapshot of what the sandbox has seen, from `YotiSandbox.stats()` or `GET /__sandbox/stats` (JSON, snake case).
package struct SandboxStats: Codable, Sendable, Hashable {
    /// Sessions created (including those whose answer was lost to a reset, stall or malformed body).
    package var sessionsCreated: Int
    /// Sessions currently stored (created minus deleted).
    package var sessionsStored: Int
    /// Sessions deleted through `DELETE /sessions/{id}`.
    package var sessionsDeleted: Int
    /// Sessions created per `user_tracking_id`; sessions without one are counted in `sessionsWithoutUserTrackingID`.
    package var sessionsPerUserTrackingID: [String: Int]
    /// Sessions created without a `user_tracking_id`.
    package var sessionsWithoutUserTrackingID: Int
    /// How many `user_tracking_id`s have more than one session.
    package var duplicatedUserTrackingIDs: Int
    /// Sessions beyond the first per `user_tracking_id`: the duplicates a runner caused.
    package var duplicateSessions: Int
    /// Requests answered 401 because of their signature, SDK ID, nonce or timestamp.
    package var signaturesRejected: Int
    /// Yoti Sign requests answered 401 for a missing or unknown bearer key.
    package var bearerRejected: Int
    /// Answered requests by HTTP status (`"201": 10`). Resets and stalls have no status and are not here.
    package var requestsByStatus: [String: Int]
    /// Injected faults by kind: `500`, `503`, `429`, `stall`, `reset_before`, `reset_after`, `malformed`.
    package var faultsInjected: [String: Int]
    /// `POST /sessions` answered 429 by the rate limit (not by an injected fault).
    package var rateLimited: Int
    /// Requests being handled now (from head received to answer written or connection closed).
    package var concurrentRequests: Int
    /// The most requests handled at once since start or `reset()`.
    package var peakConcurrentRequests: Int
    /// `POST /sessions` requests received (any outcome).
    package var createRequests: Int
    /// The most `POST /sessions` received within any sliding 1-second window.
    package var createRequestsPerSecondMax: Int
    /// `createRequests` divided by the seconds from the first to the last one (at least 1 s).
    package var createRequestsPerSecondMean: Double
    /// Mean seconds from a `POST /sessions` head arriving to its answer written (latency and the sandbox's
    /// own work; answered requests only), 0 before the first.
    package var createAnswerSecondsMean: Double
    /// Stored sessions per state now (`ONGOING`, `COMPLETED`, `EXPIRED`): what `GET /sessions/{id}` would say.
    package var sessionStates: [String: Int]
    /// Stored completed sessions per overall recommendation (`APPROVE`, `REJECT`, `NOT_AVAILABLE`).
    package var completedByRecommendation: [String: Int]
    /// Notifications POSTed to a session's `notifications.endpoint` and answered 2xx.
    package var notificationsDelivered: Int
    /// Notification POSTs tried (each retry counts).
    package var notificationAttempts: Int
    /// Notifications given up after the last retry.
    package var notificationsAbandoned: Int
    /// Notification attempts that failed, by kind: `refused`, `500` (injected), `slow` (injected delay),
    /// `error` (the endpoint's own failure or non-2xx answer).
    package var notificationFaults: [String: Int]
    /// In-Branch letters emailed to applicants (on `POST …/instructions/email`; a PUT emails nobody).
    package var lettersEmailed: Int = 0
    /// Letters emailed per session id (sessions emailed at least once): more than 1 is a duplicate email.
    package var lettersEmailedPerSession: [String: Int] = [:]
    /// Email requests of sessions subscribing to `INSTRUCTIONS_EMAIL_REQUESTED`: answered with that
    /// notification to the firm instead of an email.
    package var emailRequestsNotified: Int = 0

    enum CodingKeys: String, CodingKey {
        case sessionsCreated = "sessions_created"
        case sessionsStored = "sessions_stored"
        case sessionsDeleted = "sessions_deleted"
        case sessionsPerUserTrackingID = "sessions_per_user_tracking_id"
        case sessionsWithoutUserTrackingID = "sessions_without_user_tracking_id"
        case duplicatedUserTrackingIDs = "duplicated_user_tracking_ids"
        case duplicateSessions = "duplicate_sessions"
        case signaturesRejected = "signatures_rejected"
        case bearerRejected = "bearer_rejected"
        case requestsByStatus = "requests_by_status"
        case faultsInjected = "faults_injected"
        case rateLimited = "rate_limit_rejections"
        case concurrentRequests = "concurrent_requests"
        case peakConcurrentRequests = "peak_concurrent_requests"
        case createRequests = "create_requests"
        case createRequestsPerSecondMax = "create_requests_per_second_max"
        case createRequestsPerSecondMean = "create_requests_per_second_mean"
        case createAnswerSecondsMean = "create_answer_seconds_mean"
        case sessionStates = "session_states"
        case completedByRecommendation = "completed_by_recommendation"
        case notificationsDelivered = "notifications_delivered"
        case notificationAttempts = "notification_attempts"
        case notificationsAbandoned = "notifications_abandoned"
        case notificationFaults = "notification_faults"
        case lettersEmailed = "letters_emailed"
        case lettersEmailedPerSession = "letters_emailed_per_session"
        case emailRequestsNotified = "email_requests_notified"
    }

    /// Requests answered with `status`, or zero.
    package func requests(withStatus status: Int) -> Int { requestsByStatus[String(status)] ?? 0 }

    /// Injected faults of the kind named by its stats key (`"reset_after"`), or zero.
    package func faults(_ key: String) -> Int { faultsInjected[key] ?? 0 }
}
