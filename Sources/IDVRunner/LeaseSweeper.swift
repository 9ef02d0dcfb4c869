import PostgresClient

/// Keeps leases honest: renews this worker's live leases, and puts rows of dead workers back to pending.
///
/// A lease that expired means its worker stopped mid-call (killed, hung, lost its database): its
/// request may have reached Yoti. The reclaim marks the unfinished ledger attempt `lease_expired` and
/// the row `possible_duplicate`, counts the attempt, and returns the row to `pending` (or `failed`
/// once attempts are exhausted) — no operator action needed.
struct LeaseSweeper: Sendable {
    let database: any RunnerDatabase
    let batches: [String]
    let workerID: String
    let leaseDuration: Duration
    let maxAttempts: Int
    /// Rows per reclaim statement; the rest wait for the next sweep (keeps each statement short).
    var reclaimLimit: Int = 500

    /// Uses the `(lease_expires_at) WHERE status = 'in_progress'` index; SKIP LOCKED so it never waits
    /// behind a worker that is writing back (and so renewing) right now.
    static let reclaimSQL = """
        WITH expired AS (
            SELECT r.id
            FROM idv.verification_requests r
            WHERE r.status = 'in_progress'
              AND r.lease_expires_at < now()
              AND \(selectionPredicate(column: "r.batch_id", parameter: 1))
            ORDER BY r.lease_expires_at
            LIMIT $2
            FOR UPDATE SKIP LOCKED
        ), released AS (
            UPDATE idv.verification_requests r
            SET status = CASE WHEN r.attempts + 1 >= $3 THEN 'failed' ELSE 'pending' END,
                attempts = r.attempts + 1,
                next_attempt_at = now(),
                possible_duplicate = true,
                error_class = 'unknown_outcome',
                last_error = 'worker ' || coalesce(r.lease_owner, '?') || ' died mid-call (its lease expired at '
                    || to_char(r.lease_expires_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"')
                    || '); a session may exist at Yoti (possible duplicate): see idv.attempts',
                lease_owner = NULL,
                lease_expires_at = NULL,
                updated_at = now()
            FROM expired
            WHERE r.id = expired.id
            RETURNING r.id, r.lease_token, r.status
        ), closed AS (
            UPDATE idv.attempts a
            SET finished_at = now(),
                outcome = 'lease_expired',
                possible_duplicate = true,
                write_back = 'lease_lost',
                error = 'lease expired before the worker reported a result'
            FROM released
            WHERE a.request_id = released.id
              AND a.lease_token = released.lease_token
              AND a.finished_at IS NULL
            RETURNING a.id
        )
        SELECT (SELECT count(*) FROM released) AS rows_released,
               (SELECT count(*) FROM released WHERE status = 'failed') AS rows_failed,
               (SELECT count(*) FROM closed) AS attempts_closed
        """

    /// Extends every lease this worker still holds (claimed or in flight, written back or not).
    static let renewSQL = """
        UPDATE idv.verification_requests
        SET lease_expires_at = now() + make_interval(secs => $2)
        WHERE status = 'in_progress' AND lease_owner = $1
        """

    /// What one reclaim pass did.
    struct ReclaimResult: Sendable, Hashable {
        var rowsReleased: Int
        var rowsFailed: Int
        var attemptsClosed: Int
    }

    /// Returns rows whose lease expired to pending (or failed) and closes their open attempts.
    func reclaimExpired() async throws -> ReclaimResult {
        let rows = try await database.query(
            Self.reclaimSQL,
            [.textArray(batches), .int(reclaimLimit), .int(maxAttempts)]
        )
        guard let row = rows.first else { return ReclaimResult(rowsReleased: 0, rowsFailed: 0, attemptsClosed: 0) }
        return ReclaimResult(
            rowsReleased: try row.decode(Int.self, "rows_released"),
            rowsFailed: try row.decode(Int.self, "rows_failed"),
            attemptsClosed: try row.decode(Int.self, "attempts_closed")
        )
    }

    /// Renews this worker's leases; returns how many rows it holds.
    @discardableResult
    func renewLeases() async throws -> Int {
        try await database.query(Self.renewSQL, [.text(workerID), .double(leaseDuration.secondsDouble)]).affectedRows
    }
}
