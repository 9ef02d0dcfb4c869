import Foundation
import PostgresClient
import YotiAPI

/// `idv-batch pause`, `resume` and `cancel`: an operator holds, releases or withdraws a batch, and every
/// action is recorded in `idv.batch_actions` with who, why and what it did.
///
/// A pause is a flag on `idv.batches` (a row is inserted when the batch has none). Every step's claim skips
/// rows of a paused batch (``StepStatements``), so every worker on every host sees it within one claim;
/// calls already in flight finish and are written back. A run whose selection has nothing left but paused
/// rows ends with ``RunStopReason/paused`` (exit 5).
package struct BatchControl: Sendable {
    /// Who did it and why, for the audit trail.
    package struct Requester: Sendable, Hashable {
        /// `--by`, else `$USER@host`.
        package var name: String
        /// `--reason`; `nil` when none was given.
        package var reason: String?

        package init(name: String? = nil, reason: String? = nil) {
            let given = name?.trimmingCharacters(in: .whitespaces)
            self.name = given.flatMap { $0.isEmpty ? nil : $0 } ?? Rerunner.defaultRequester()
            self.reason = reason.flatMap { $0.isEmpty ? nil : $0 }
        }
    }

    /// What `pause` or `resume` did.
    package struct PauseResult: Sendable, Hashable {
        package var batchID: String
        /// `false` when the batch already was in the asked state (nothing changed, nothing recorded).
        package var changed: Bool
        /// Who paused it (the current pause when it was already paused).
        package var pausedBy: String?
        package var reason: String?
        /// Rows waiting (pending) and held by workers right now (in flight; they finish and are written back).
        package var pendingRows: Int
        package var inFlightRows: Int
    }

    /// What `cancel` did.
    package struct CancelResult: Sendable, Hashable {
        package var batchID: String
        /// Rows moved to `cancelled`, per the state they were in.
        package var cancelledByStatus: [String: Int]
        /// Of those, rows holding a session at Yoti (deleted with `--delete-remote`).
        package var withSession: Int
        /// Matching rows a worker holds right now (leased or locked): not touched. Cancel again once they are written back.
        package var skippedInFlight: Int
        /// `--refs` entries no row of the batch has.
        package var unknownRefs: [String]
        /// `idv.batch_actions.id`, or `nil` when nothing was cancelled.
        package var actionID: Int64?

        package var cancelled: Int { cancelledByStatus.values.reduce(0, +) }
    }

    /// States `cancel --where-status` accepts.
    package static let cancellableStatuses = [RequestStatus.pending, .failed, .created].map(\.rawValue)

    let pool: PostgresPool

    package init(pool: PostgresPool) {
        self.pool = pool
    }

    /// Pauses `batchID`: no worker claims its rows until ``resume(batchID:by:)``.
    /// - Throws: ``OperationError`` `.unknownBatch`, `.database`.
    package func pause(batchID: String, by requester: Requester) async throws -> PauseResult {
        try await OperationError.database("pause batch \(batchID)") {
            try await pool.withTransaction { connection in
                try await Self.checkBatchExists(batchID, on: connection)
                let changed =
                    try await connection.query(
                        """
                        INSERT INTO idv.batches AS b (batch_id, paused_at, paused_by, pause_reason)
                        VALUES ($1, now(), $2, $3)
                        ON CONFLICT (batch_id) DO UPDATE
                            SET paused_at = now(), paused_by = EXCLUDED.paused_by, pause_reason = EXCLUDED.pause_reason
                            WHERE b.paused_at IS NULL
                        RETURNING b.batch_id
                        """, [.text(batchID), .text(requester.name), requester.reason.map { .text($0) } ?? .null]
                    ).count > 0
                var result = try await Self.pauseState(batchID, changed: changed, on: connection)
                if changed {
                    try await Self.record(
                        "pause", batchID: batchID, requester: requester,
                        details: [
                            "pending_rows": .integer(Int64(result.pendingRows)),
                            "in_flight_rows": .integer(Int64(result.inFlightRows)),
                        ],
                        on: connection)
                }
                result.changed = changed
                return result
            }
        }
    }

    /// Resumes `batchID`: workers claim its rows again from their next claim.
    /// - Throws: ``OperationError`` `.unknownBatch`, `.database`.
    package func resume(batchID: String, by requester: Requester) async throws -> PauseResult {
        try await OperationError.database("resume batch \(batchID)") {
            try await pool.withTransaction { connection in
                try await Self.checkBatchExists(batchID, on: connection)
                let released = try await connection.query(
                    """
                    WITH old AS (
                        SELECT batch_id, paused_at, paused_by, pause_reason FROM idv.batches
                        WHERE batch_id = $1 AND paused_at IS NOT NULL
                        FOR UPDATE
                    )
                    UPDATE idv.batches AS b SET paused_at = NULL, paused_by = NULL, pause_reason = NULL
                    FROM old
                    WHERE b.batch_id = old.batch_id
                    RETURNING old.paused_by, old.pause_reason, EXTRACT(EPOCH FROM now() - old.paused_at)::float8 AS paused_seconds
                    """, [.text(batchID)])
                var result = try await Self.pauseState(batchID, changed: !released.isEmpty, on: connection)
                if let row = released.first {
                    try await Self.record(
                        "resume", batchID: batchID, requester: requester,
                        details: [
                            "paused_by": try row.decode(String?.self, "paused_by").map { .string($0) } ?? .null,
                            "paused_seconds": .double(try row.decode(Double.self, "paused_seconds")),
                            "pending_rows": .integer(Int64(result.pendingRows)),
                        ],
                        on: connection)
                    result.pausedBy = try row.decode(String?.self, "paused_by")
                    result.reason = try row.decode(String?.self, "pause_reason")
                }
                return result
            }
        }
    }

    /// Withdraws rows of `batchID`: those in `statuses` (and, with `refs`, only those external refs) become
    /// `cancelled`, with who and why in `last_error` and the audit trail. Rows a worker holds right now are
    /// skipped (`SKIP LOCKED`, and any leased row) and counted.
    /// - Throws: ``OperationError`` `.unknownBatch`, `.usage` (a state that cannot be cancelled), `.database`.
    package func cancel(batchID: String, statuses: [String], refs: [String]?, by requester: Requester) async throws
        -> CancelResult
    {
        let unknownStatuses = statuses.filter { !Self.cancellableStatuses.contains($0) }
        guard unknownStatuses.isEmpty, !statuses.isEmpty else {
            throw OperationError(
                code: .usage,
                message:
                    "--where-status: \(unknownStatuses.isEmpty ? "name at least one state" : "cannot cancel rows in state " + unknownStatuses.joined(separator: ", ")). "
                    + "States that can be cancelled: \(Self.cancellableStatuses.joined(separator: ", ")).")
        }
        let reasonText = "cancelled by \(requester.name)" + (requester.reason.map { ": \($0)" } ?? "")
        return try await OperationError.database("cancel rows of batch \(batchID)") {
            try await pool.withTransaction { connection in
                try await Self.checkBatchExists(batchID, on: connection)
                let parameters: [PostgresValue] = [
                    .text(batchID), .textArray(statuses), refs.map { .textArray($0) } ?? .null, .text(reasonText),
                ]
                let moved = try await connection.query(
                    """
                    WITH candidates AS (
                        SELECT r.id, r.status
                        FROM idv.verification_requests r
                        WHERE r.batch_id = $1 AND r.status = ANY ($2::text[])
                          AND ($3::text[] IS NULL OR r.external_ref = ANY ($3::text[]))
                          AND r.lease_operation IS NULL
                        FOR UPDATE SKIP LOCKED
                    ), moved AS (
                        UPDATE idv.verification_requests r
                        SET status = 'cancelled', last_error = $4, next_attempt_at = NULL
                        FROM candidates c
                        WHERE r.id = c.id
                        RETURNING c.status AS was, r.session_id IS NOT NULL AS has_session
                    )
                    SELECT was, count(*) AS n, count(*) FILTER (WHERE has_session) AS with_session
                    FROM moved GROUP BY was
                    """, parameters)
                var byStatus: [String: Int] = [:]
                var withSession = 0
                for row in moved {
                    byStatus[try row.decode(String.self, "was")] = try row.decode(Int.self, "n")
                    withSession += try row.decode(Int.self, "with_session")
                }
                // What is still there and matching was held by a worker (leased, or locked by a write-back).
                let skipped = try await connection.query(
                    """
                    SELECT count(*) AS n FROM idv.verification_requests r
                    WHERE r.batch_id = $1
                      AND ($3::text[] IS NULL OR r.external_ref = ANY ($3::text[]))
                      AND (r.status = ANY ($2::text[]) OR (r.status = 'in_progress' AND 'pending' = ANY ($2::text[])))
                    """, Array(parameters.prefix(3)))[0].decode(Int.self, "n")
                var unknownRefs: [String] = []
                if let refs, !refs.isEmpty {
                    unknownRefs = try await connection.query(
                        """
                        SELECT ref FROM unnest($2::text[]) AS ref
                        WHERE NOT EXISTS (SELECT 1 FROM idv.verification_requests r WHERE r.batch_id = $1 AND r.external_ref = ref)
                        ORDER BY ref
                        """, [.text(batchID), .textArray(refs)]
                    ).map { try $0.decode(String.self, "ref") }
                }
                var result = CancelResult(
                    batchID: batchID, cancelledByStatus: byStatus, withSession: withSession, skippedInFlight: skipped,
                    unknownRefs: unknownRefs, actionID: nil)
                if result.cancelled > 0 || skipped > 0 {
                    result.actionID = try await Self.record(
                        "cancel", batchID: batchID, requester: requester,
                        details: [
                            "where_status": .array(statuses.map { .string($0) }),
                            "refs": refs.map { .integer(Int64($0.count)) } ?? .null,
                            "cancelled": .object(byStatus.mapValues { .integer(Int64($0)) }),
                            "with_session": .integer(Int64(withSession)),
                            "skipped_in_flight": .integer(Int64(skipped)),
                            "unknown_refs": .integer(Int64(unknownRefs.count)),
                        ],
                        on: connection)
                }
                return result
            }
        }
    }

    // MARK: - Helpers

    private static func pauseState(_ batchID: String, changed: Bool, on connection: PostgresConnection) async throws
        -> PauseResult
    {
        let row = try await connection.query(
            """
            SELECT (SELECT paused_by FROM idv.batches WHERE batch_id = $1) AS paused_by,
                   (SELECT pause_reason FROM idv.batches WHERE batch_id = $1) AS pause_reason,
                   (SELECT count(*) FROM idv.verification_requests WHERE batch_id = $1 AND status = 'pending') AS pending,
                   (SELECT count(*) FROM idv.verification_requests WHERE batch_id = $1 AND lease_operation IS NOT NULL)
                       AS in_flight
            """, [.text(batchID)])[0]
        return PauseResult(
            batchID: batchID, changed: changed, pausedBy: try row.decode(String?.self, "paused_by"),
            reason: try row.decode(String?.self, "pause_reason"), pendingRows: try row.decode(Int.self, "pending"),
            inFlightRows: try row.decode(Int.self, "in_flight"))
    }

    /// Appends one action to `idv.batch_actions`; returns its id.
    @discardableResult
    static func record(
        _ action: String, batchID: String, requester: Requester, details: [String: JSONValue],
        on connection: PostgresConnection
    ) async throws -> Int64 {
        try await connection.query(
            """
            INSERT INTO idv.batch_actions (batch_id, action, actor, reason, details)
            VALUES ($1, $2, $3, $4, $5::jsonb) RETURNING id
            """,
            [
                .text(batchID), .text(action), .text(requester.name), requester.reason.map { .text($0) } ?? .null,
                .jsonb(JSONValue.object(details).jsonString()),
            ]
        )[0].decode(Int64.self, "id")
    }

    private static func checkBatchExists(_ batchID: String, on connection: PostgresConnection) async throws {
        guard try await Rerunner.batchExists(batchID, query: { try await connection.query($0, $1) }) else {
            throw OperationError.unknownBatch(batchID)
        }
    }
}
