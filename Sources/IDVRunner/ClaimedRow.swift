import Foundation
import YotiAPI

/// A row this worker holds a lease on, with its open ledger attempt: what one call needs.
struct ClaimedRow: Sendable, Hashable {
    var id: Int64
    var batchID: String
    var externalRef: String
    var configName: String?
    /// The row's `session_spec` (a full spec, or a merge patch over `configName`).
    var sessionSpec: JSONValue?
    /// Counted attempts before this one.
    var attempts: Int
    /// The fencing value: every write-back is conditional on it.
    var leaseToken: Int64
    /// The `idv.attempts` row opened for this try by the claim.
    var attemptID: Int64
    /// 1-based number of this try in the ledger (rate-limited tries included).
    var attemptNumber: Int
    /// A 429 pause in force for the batch when the row was claimed.
    var pausedUntil: Date?
}
