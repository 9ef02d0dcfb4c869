import Foundation
import PostgresClient

/// Claims a step's due rows for this worker: one statement (``StepStatements/claim``), one round trip,
/// committed before any HTTP call.
struct StepClaimer<Step: RemoteStep>: Sendable {
    let step: Step
    let statements: StepStatements
    let database: any RunnerDatabase
    let batches: [String]
    /// The lease owner's name (`lease_owner`, readable in `idv.runs`).
    let workerName: String
    /// `idv.workers.id` when the worker registered its presence; `nil` leaves rows to lease expiry alone.
    let workerID: Int32?
    let leaseDuration: Duration
    /// `idv.runs.id` of this run, stamped on every ledger row.
    let runID: Int64?
    /// Turns the server's pause (sent as seconds from the server's now, immune to clock skew) into local time.
    let clock: RunnerClock

    /// The parameters of the claim for `limit` rows.
    /// - Parameter pausedBatches: batches this worker knows to be paused (from its last outlook): not picked.
    func parameters(limit: Int, pausedBatches: [String] = []) -> [PostgresValue] {
        statements.claimParameters(
            .init(
                batches: batches, limit: limit, owner: workerName, leaseDuration: leaseDuration, runID: runID,
                workerID: workerID, operation: step.operation, knownPaused: pausedBatches))
    }

    /// Claims up to `limit` due rows of the selection (fewer when there are fewer, or others hold them).
    /// - Throws: `PostgresError` (the claim then did not happen: it is one statement), or the step's
    ///   decoding error (the rows are then leased and come back when the lease is reclaimed).
    func claim(limit: Int, pausedBatches: [String] = []) async throws -> [Claim<Step.Work>] {
        guard limit > 0 else { return [] }
        let rows = try await database.query(statements.claim, parameters(limit: limit, pausedBatches: pausedBatches))
        let now = clock.now()
        return try rows.map { row in
            Claim(
                id: try row.decode(Int64.self, "id"),
                batchID: try row.decode(String.self, "batch_id"),
                leaseToken: try row.decode(Int64.self, "lease_token"),
                attemptID: try row.decode(Int64.self, "attempt_id"),
                attemptNumber: try row.decode(Int.self, "attempt_no"),
                attempts: try row.decode(Int.self, "counted_attempts"),
                pausedUntil: try row.decode(Double?.self, "pause_seconds").map { now.addingTimeInterval($0) },
                subject: try row.decode(String?.self, "subject"),
                work: try step.work(from: row)
            )
        }
    }
}
