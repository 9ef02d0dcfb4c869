import Foundation
import PostgresClient
import YotiAPI

extension Rerunner {
    /// What a reissue (`rerun --expired`) did, or would do with `dryRun`.
    package struct ReissueResult: Sendable, Hashable {
        package var batchID: String
        /// Rows moved back to pending (with `dryRun`: rows that would be).
        package var rowsReissued: Int
        /// Expired rows of the batch left as they are (beyond `--max-sessions`, or held by a worker).
        package var expiredRowsLeft: Int
        /// `idv.reruns.id`, or `nil` when nothing moved (or a dry run).
        package var rerunID: Int64?
        package var dryRun: Bool

        /// One line for the operator.
        package func render() -> String {
            if dryRun {
                return "Dry run: \(rowsReissued) expired rows of batch \(batchID) would get a fresh session; "
                    + "\(expiredRowsLeft) would be left expired. Nothing changed."
            }
            guard rowsReissued > 0 else {
                return "Nothing to reissue in batch \(batchID): no expired rows"
                    + (expiredRowsLeft > 0 ? " free to move." : ".")
            }
            return
                "Reissued \(rowsReissued) expired rows of batch \(batchID) as rerun \(rerunID.map(String.init) ?? "-"): "
                + "pending again, their old sessions kept in previous_sessions and idv.attempts; "
                + "\(expiredRowsLeft) expired rows left as they are."
        }
    }

    /// Gives the batch's `expired` rows (token ran out) a fresh session: at most `limit` of them (the cost
    /// guard, `--max-sessions`) move back to `pending` with attempts reset; the old session id and expiries
    /// are appended to `previous_sessions` (the old token is dropped: it is dead), and `idv.attempts` keeps
    /// the call that made it. Recorded in `idv.reruns` (filters `{"expired": true}`) and `idv.batch_actions`.
    ///
    /// A reissued row's old session is no longer deleted by `expire --delete-remote`: delete it first if
    /// it must go.
    /// - Parameter dryRun: count only; change nothing.
    /// - Throws: ``OperationError`` `.unknownBatch`, `.usage` (a limit below 1), `.database`.
    package func reissueExpired(
        batchID: String, limit: Int?, dryRun: Bool = false, requestedBy: String = defaultRequester()
    ) async throws -> ReissueResult {
        if let limit, limit < 1 {
            throw OperationError(code: .usage, message: "--max-sessions must be at least 1 to reissue expired rows.")
        }
        return try await OperationError.database("reissue the expired rows of batch \(batchID)") {
            try await pool.withTransaction { connection in
                guard try await Self.batchExists(batchID, query: { try await connection.query($0, $1) }) else {
                    throw OperationError.unknownBatch(batchID)
                }
                let expired = try await connection.query(
                    """
                    SELECT count(*) AS n FROM idv.verification_requests
                    WHERE batch_id = $1 AND status = 'expired' AND personal_data_purged_at IS NULL
                    """,
                    [.text(batchID)])[0].decode(Int.self, "n")
                if dryRun {
                    let would = min(expired, limit ?? expired)
                    return ReissueResult(
                        batchID: batchID, rowsReissued: would, expiredRowsLeft: expired - would, rerunID: nil,
                        dryRun: true)
                }
                let moved = try await connection.query(
                    """
                    WITH picked AS (
                        SELECT id FROM idv.verification_requests
                        WHERE batch_id = $1 AND status = 'expired' AND lease_operation IS NULL
                          AND personal_data_purged_at IS NULL
                        ORDER BY id
                        LIMIT $2
                        FOR UPDATE SKIP LOCKED
                    ), moved AS (
                        UPDATE idv.verification_requests r
                        SET status = 'pending', attempts = 0, next_attempt_at = now(),
                            previous_sessions = coalesce(r.previous_sessions, '[]'::jsonb) || jsonb_build_array(
                                jsonb_build_object(
                                    'session_id', r.session_id, 'token_expires_at', r.token_expires_at,
                                    'resources_expire_at', r.resources_expire_at,
                                    'remote_delete_status', r.remote_delete_status, 'reissued_at', now())),
                            session_id = NULL, client_session_token = NULL, token_expires_at = NULL,
                            resources_expire_at = NULL, remote_deleted_at = NULL, remote_delete_status = NULL,
                            last_error = NULL, last_http_status = NULL, error_class = NULL
                        FROM picked
                        WHERE r.id = picked.id
                        RETURNING r.id
                    )
                    SELECT count(*) AS n FROM moved
                    """, [.text(batchID), limit.map { .int($0) } ?? .null])[0].decode(Int.self, "n")
                var rerunID: Int64?
                if moved > 0 {
                    rerunID = try await connection.query(
                        """
                        INSERT INTO idv.reruns (batch_id, requested_by, filters, rows_requeued)
                        VALUES ($1, $2, $3::jsonb, $4) RETURNING id
                        """,
                        [
                            .text(batchID), .text(requestedBy),
                            .jsonb(
                                JSONValue.object([
                                    "expired": .bool(true), "max_sessions": limit.map { .int($0) } ?? .null,
                                ]).jsonString()),
                            .int(moved),
                        ]
                    )[0].decode(Int64.self, "id")
                    try await BatchControl.record(
                        "reissue", batchID: batchID, requester: BatchControl.Requester(name: requestedBy),
                        details: ["reissued": .int(moved), "rerun_id": rerunID.map { .integer($0) } ?? .null],
                        on: connection)
                }
                return ReissueResult(
                    batchID: batchID, rowsReissued: moved, expiredRowsLeft: expired - moved, rerunID: rerunID,
                    dryRun: false)
            }
        }
    }
}
