import Foundation

/// One result to store: the row's new state (applied only while the lease is still ours) and the
/// ledger attempt's ending (always applied). ``WriteBackBuffer`` sends many in one statement.
struct WriteBack: Sendable, Hashable {
    /// The states a turn can leave a row in.
    enum RowStatus: String, Sendable, Hashable {
        case pending, created, failed
    }

    var requestID: Int64
    var leaseToken: Int64
    var attemptID: Int64

    // The row (verification_requests), conditional on the lease.
    var status: RowStatus
    /// Counted attempts after this one (absolute: the lease guarantees nobody else changed it).
    var attempts: Int
    /// For `pending`: how long until the row is runnable again (`next_attempt_at = now() + delay`).
    var retryDelay: Duration?
    var sessionID: String?
    /// Bearer secret; only ever travels to the database.
    var clientSessionToken: String?
    var tokenExpiresAt: Date?
    var resourcesExpireAt: Date?
    var lastError: String?
    var lastHTTPStatus: Int?
    var errorClass: String?
    /// Sets the row's `possible_duplicate` (never clears it).
    var possibleDuplicate: Bool

    // The ledger (idv.attempts), unconditional.
    var finishedAt: Date
    var outcome: String
    var yotiCode: String?
    var yotiRequestID: String?
    var ledgerError: String?
    /// The `user_tracking_id` actually sent (the claim recorded an estimate).
    var userTrackingID: String?

    /// Whether this entry consumed a created session (for the max-sessions budget and the summary).
    var createdSession: Bool { status == .created }
}

extension WriteBack: CustomStringConvertible {
    /// Redacts the client session token: entries appear in test failures and debug logs.
    var description: String {
        "WriteBack(request \(requestID), lease \(leaseToken), attempt \(attemptID), \(status.rawValue), "
            + "attempts \(attempts), outcome \(outcome), session \(sessionID ?? "-"), "
            + "token \(clientSessionToken == nil ? "-" : "<redacted>"), error_class \(errorClass ?? "-"), "
            + "possible_duplicate \(possibleDuplicate), last_error \(lastError ?? "-"))"
    }
}
