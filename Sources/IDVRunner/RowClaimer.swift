import Foundation
import PostgresClient
import YotiAPI

/// Claims runnable rows: one statement, one round trip, committed before any HTTP call.
///
/// The statement picks due `pending` rows of the selection in id order with `FOR UPDATE SKIP LOCKED`
/// (so concurrent workers never wait on, or take, each other's rows), leases them with a fresh fencing
/// value from `idv.lease_fence`, and opens one `idv.attempts` ledger row per claimed row — so an attempt
/// is on record BEFORE its call: a crash after Yoti created a session leaves an unfinished attempt
/// (a possible duplicate), never an unaccounted session.
struct RowClaimer: Sendable {
    let database: any RunnerDatabase
    let batches: [String]
    let workerID: String
    let leaseDuration: Duration
    /// `idv.runs.id` of this run, stamped on every ledger row.
    let runID: Int64?
    /// Turns the server's pause (sent as seconds from the server's now, immune to clock skew) into local time.
    let clock: RunnerClock

    static let claimSQL = """
        WITH picked AS (
            SELECT r.id
            FROM idv.verification_requests r
            WHERE r.status = 'pending'
              AND (r.next_attempt_at IS NULL OR r.next_attempt_at <= now())
              AND \(selectionPredicate(column: "r.batch_id", parameter: 1))
            -- All or several batches: the `(id) WHERE status = 'pending'` index (0004); one: `(batch_id, id)`.
            ORDER BY r.id
            LIMIT $2
            FOR UPDATE SKIP LOCKED
        ), claimed AS (
            UPDATE idv.verification_requests r
            SET status = 'in_progress',
                lease_token = nextval('idv.lease_fence'),
                lease_owner = $3,
                lease_expires_at = now() + make_interval(secs => $4),
                updated_at = now()
            FROM picked
            WHERE r.id = picked.id
            RETURNING r.id, r.batch_id, r.external_ref, r.config_name, r.session_spec, r.attempts, r.lease_token
        ), opened AS (
            INSERT INTO idv.attempts
                (request_id, batch_id, run_id, lease_token, attempt_no, user_tracking_id, started_at, write_back)
            SELECT c.id, c.batch_id, $5, c.lease_token,
                   (SELECT count(*) FROM idv.attempts a WHERE a.request_id = c.id) + 1,
                   COALESCE(c.session_spec ->> 'user_tracking_id', sc.spec ->> 'user_tracking_id', c.external_ref),
                   now(), 'pending'
            FROM claimed c
            LEFT JOIN idv.session_configs sc ON sc.name = c.config_name
            RETURNING id, request_id, attempt_no
        )
        SELECT c.id, c.batch_id, c.external_ref, c.config_name, c.session_spec::text AS session_spec,
               c.attempts, c.lease_token, o.id AS attempt_id, o.attempt_no,
               EXTRACT(EPOCH FROM rl.paused_until - now())::float8 AS pause_seconds
        FROM claimed c
        JOIN opened o ON o.request_id = c.id
        LEFT JOIN idv.rate_limits rl ON rl.batch_id = c.batch_id AND rl.paused_until > now()
        ORDER BY c.id
        """

    /// The parameters of ``claimSQL`` for a claim of `limit` rows.
    func parameters(limit: Int) -> [PostgresValue] {
        [.textArray(batches), .int(limit), .text(workerID), .double(leaseDuration.secondsDouble), runID.map { .bigint($0) } ?? .null]
    }

    /// Claims up to `limit` due rows of the selection (fewer when there are fewer, or others hold them).
    /// - Throws: `PostgresError` (the claim then did not happen: it is one statement).
    func claim(limit: Int) async throws -> [ClaimedRow] {
        guard limit > 0 else { return [] }
        let rows = try await database.query(Self.claimSQL, parameters(limit: limit))
        let now = clock.now()
        return try rows.map { row in
            let specText = try row.decode(String?.self, "session_spec")
            return ClaimedRow(
                id: try row.decode(Int64.self, "id"),
                batchID: try row.decode(String.self, "batch_id"),
                externalRef: try row.decode(String.self, "external_ref"),
                configName: try row.decode(String?.self, "config_name"),
                sessionSpec: try specText.map { try JSONValue(jsonString: $0) },
                attempts: try row.decode(Int.self, "attempts"),
                leaseToken: try row.decode(Int64.self, "lease_token"),
                attemptID: try row.decode(Int64.self, "attempt_id"),
                attemptNumber: try row.decode(Int.self, "attempt_no"),
                pausedUntil: try row.decode(Double?.self, "pause_seconds").map { now.addingTimeInterval($0) }
            )
        }
    }
}
