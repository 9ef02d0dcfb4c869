import Foundation

/// A row a worker holds a lease on for one step, with its open ledger attempt: what one call needs.
struct Claim<Work: Sendable>: Sendable {
    var id: Int64
    var batchID: String
    /// The fencing value: every write-back is conditional on it.
    var leaseToken: Int64
    /// The `idv.attempts` row opened for this try by the claim.
    var attemptID: Int64
    /// 1-based number of this try of this step in the ledger (rate-limited tries included).
    var attemptNumber: Int
    /// Counted attempts of this step before this one (429s and rejected credentials do not count).
    var attempts: Int
    /// A 429 pause in force for the batch when the row was claimed.
    var pausedUntil: Date?
    /// What the ledger recorded as the call's subject at claim time (create: the `user_tracking_id`).
    var subject: String?
    /// The step's own input, read from the claimed row.
    var work: Work
}
