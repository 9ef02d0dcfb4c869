import PostgresClient
import YotiClient

/// Keeps one step's leases honest: renews this worker's, and gives back rows whose worker is gone.
///
/// A worker is gone when its lease expired, or — within a second or two of its death — when its
/// presence lock (``WorkerPresence``) is no longer held: PostgreSQL drops it the moment the worker's
/// connection ends. Its request may have reached Yoti, so the step's release flags the row and the
/// unfinished ledger attempt is closed as `lease_expired` / possible duplicate. A live worker, however
/// slow, keeps its lock and renews its leases, so its rows are never taken from it.
struct LeaseKeeper: Sendable {
    let database: any RunnerDatabase
    let statements: StepStatements
    let operation: StepOperation
    let batches: [String]
    let workerID: String
    let leaseDuration: Duration
    let maxAttempts: Int
    /// Rows per reclaim statement; the rest wait for the next pass (keeps each statement short).
    var reclaimLimit: Int = 500

    /// What one reclaim pass did.
    struct ReclaimResult: Sendable, Hashable {
        var rowsReleased: Int
        var rowsFailed: Int
        var attemptsClosed: Int
    }

    static let reclaimReason = "worker died or its lease expired before it reported a result"

    /// Returns orphaned rows of the selection to the step's queue (or fails them) and closes their attempts.
    func reclaimOrphaned() async throws -> ReclaimResult {
        let rows = try await database.query(
            statements.reclaim,
            statements.reclaimParameters(
                .init(
                    batches: batches, limit: reclaimLimit, maxAttempts: maxAttempts, reason: Self.reclaimReason,
                    operation: operation))
        )
        guard let row = rows.first else { return ReclaimResult(rowsReleased: 0, rowsFailed: 0, attemptsClosed: 0) }
        return ReclaimResult(
            rowsReleased: try row.decode(Int.self, "rows_released"),
            rowsFailed: try row.decode(Int.self, "rows_failed"),
            attemptsClosed: try row.decode(Int.self, "attempts_closed")
        )
    }

    /// Renews this worker's leases of this step; returns how many rows it holds.
    @discardableResult
    func renewLeases() async throws -> Int {
        try await database.query(
            statements.renew,
            statements.renewParameters(owner: workerID, leaseDuration: leaseDuration, operation: operation)
        ).affectedRows
    }
}
