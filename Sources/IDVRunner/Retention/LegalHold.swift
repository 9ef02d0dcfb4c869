import Foundation
import PostgresClient
import YotiAPI

/// `idv-batch hold` and `release`: a legal hold keeps a batch's personal data out of `purge` (and out of
/// `erase` unless overridden), whatever the retention policy says. Durable on `idv.batches` like a pause,
/// recorded in `idv.batch_actions` (actions `hold`, `release`) with who and why.
package struct LegalHold: Sendable {
    /// What `hold` or `release` did.
    package struct Result: Sendable, Hashable {
        package var batchID: String
        /// `false` when the batch already was in the asked state (nothing changed, nothing recorded).
        package var changed: Bool
        /// Who holds it (the existing hold when it was already held; the released hold after `release`).
        package var heldBy: String?
        package var reason: String?
        /// Rows of the batch still holding personal data.
        package var rowsWithPersonalData: Int
    }

    let pool: PostgresPool

    package init(pool: PostgresPool) {
        self.pool = pool
    }

    /// Puts `batchID` under legal hold.
    /// - Throws: ``OperationError`` `.usage` (no reason), `.unknownBatch`, `.database`.
    package func hold(batchID: String, by requester: BatchControl.Requester) async throws -> Result {
        guard let reason = requester.reason, !reason.trimmingCharacters(in: .whitespaces).isEmpty else {
            throw OperationError(
                code: .usage, message: "hold needs --reason: say why the batch's personal data must be kept")
        }
        return try await OperationError.database("hold batch \(batchID)") {
            try await pool.withTransaction { connection in
                try await Self.checkBatchExists(batchID, on: connection)
                let changed =
                    try await connection.query(
                        """
                        INSERT INTO idv.batches AS b (batch_id, held_at, held_by, hold_reason)
                        VALUES ($1, now(), $2, $3)
                        ON CONFLICT (batch_id) DO UPDATE
                            SET held_at = now(), held_by = EXCLUDED.held_by, hold_reason = EXCLUDED.hold_reason
                            WHERE b.held_at IS NULL
                        RETURNING b.batch_id
                        """, [.text(batchID), .text(requester.name), .text(reason)]
                    ).count > 0
                var result = try await Self.state(batchID, changed: changed, on: connection)
                if changed {
                    _ = try await BatchControl.record(
                        "hold", batchID: batchID, requester: requester,
                        details: ["rows_with_personal_data": .integer(Int64(result.rowsWithPersonalData))],
                        on: connection)
                }
                result.changed = changed
                return result
            }
        }
    }

    /// Releases the legal hold on `batchID`: the next purge applies the policy to it again.
    /// - Throws: ``OperationError`` `.unknownBatch`, `.database`.
    package func release(batchID: String, by requester: BatchControl.Requester) async throws -> Result {
        try await OperationError.database("release batch \(batchID)") {
            try await pool.withTransaction { connection in
                try await Self.checkBatchExists(batchID, on: connection)
                let released = try await connection.query(
                    """
                    WITH old AS (
                        SELECT batch_id, held_at, held_by, hold_reason FROM idv.batches
                        WHERE batch_id = $1 AND held_at IS NOT NULL
                        FOR UPDATE
                    )
                    UPDATE idv.batches AS b SET held_at = NULL, held_by = NULL, hold_reason = NULL
                    FROM old WHERE b.batch_id = old.batch_id
                    RETURNING old.held_by, old.hold_reason, EXTRACT(EPOCH FROM now() - old.held_at)::float8 AS held_seconds
                    """, [.text(batchID)])
                var result = try await Self.state(batchID, changed: !released.isEmpty, on: connection)
                if let row = released.first {
                    result.heldBy = try row.decode(String?.self, "held_by")
                    result.reason = try row.decode(String?.self, "hold_reason")
                    _ = try await BatchControl.record(
                        "release", batchID: batchID, requester: requester,
                        details: [
                            "held_by": result.heldBy.map { .string($0) } ?? .null,
                            "held_seconds": .double(try row.decode(Double.self, "held_seconds")),
                            "rows_with_personal_data": .integer(Int64(result.rowsWithPersonalData)),
                        ],
                        on: connection)
                }
                return result
            }
        }
    }

    private static func state(_ batchID: String, changed: Bool, on connection: PostgresConnection) async throws
        -> Result
    {
        let row = try await connection.query(
            """
            SELECT (SELECT held_by FROM idv.batches WHERE batch_id = $1) AS held_by,
                   (SELECT hold_reason FROM idv.batches WHERE batch_id = $1) AS hold_reason,
                   (SELECT count(*) FROM idv.verification_requests
                    WHERE batch_id = $1 AND personal_data_purged_at IS NULL) AS rows
            """, [.text(batchID)])[0]
        return Result(
            batchID: batchID, changed: changed, heldBy: try row.decode(String?.self, "held_by"),
            reason: try row.decode(String?.self, "hold_reason"), rowsWithPersonalData: try row.decode(Int.self, "rows"))
    }

    static func checkBatchExists(_ batchID: String, on connection: PostgresConnection) async throws {
        guard try await Rerunner.batchExists(batchID, query: { try await connection.query($0, $1) }) else {
            throw OperationError.unknownBatch(batchID)
        }
    }
}
