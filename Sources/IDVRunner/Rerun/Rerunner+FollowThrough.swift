import Foundation
import PostgresClient
import YotiAPI

/// `idv-batch rerun <batch> --follow-through`: the batch's failed In-Branch follow-throughs back to the step
/// they failed at (``FollowThrough/requeueFailed(database:batches:)``, shared with `instructions
/// --retry-failed`), recorded in `idv.reruns` with `filters = {"follow_through": true}`.
extension Rerunner {
    /// What one follow-through re-queue did.
    package struct FollowThroughResult: Sendable, Hashable {
        package var batchID: String
        /// Rows requeued per `instructions_status` they are back at (`pending`, `configured`, `sent`).
        package var requeuedByState: [String: Int]
        /// `idv.reruns.id`, or `nil` when nothing matched (nothing is recorded then).
        package var rerunID: Int64?

        /// Rows requeued.
        package var rowsRequeued: Int { requeuedByState.values.reduce(0, +) }

        /// One line for the operator.
        package func render() -> String {
            guard rowsRequeued > 0 else {
                return "Nothing to rerun in batch \(batchID): no failed In-Branch follow-throughs."
            }
            let steps: [(InstructionsStatus, String)] = [
                (.pending, "configuration"), (.configured, "instructions"), (.sent, "letter"),
            ]
            let requeued =
                steps
                .compactMap { state, step in requeuedByState[state.rawValue].map { "\($0) at the \(step)" } }
            return
                "Re-queued \(rowsRequeued) failed follow-throughs of batch \(batchID) (\(requeued.joined(separator: ", "))) "
                + "as rerun \(rerunID.map(String.init) ?? "-")."
        }
    }

    /// `idv.reruns.filters` of a follow-through rerun.
    static let followThroughFilters: JSONValue = ["follow_through": true]

    /// Moves the batch's failed follow-throughs back to the step each failed at (attempts reset) and
    /// records the rerun, in one transaction.
    /// - Throws: ``OperationError``: `.unknownBatch`, `.database`.
    package func requeueFollowThrough(batchID: String, requestedBy: String = defaultRequester()) async throws
        -> FollowThroughResult
    {
        try await OperationError.database("re-queue the failed follow-throughs of batch \(batchID)") {
            try await pool.withTransaction { connection in
                try await Self.checkBatchExists(batchID, on: connection)
                let byState = try await FollowThrough.requeueFailed(batches: [batchID]) {
                    try await connection.query($0, $1)
                }
                var result = FollowThroughResult(batchID: batchID, requeuedByState: byState, rerunID: nil)
                if result.rowsRequeued > 0 {
                    let recorded = try await connection.query(
                        """
                        INSERT INTO idv.reruns (batch_id, requested_by, filters, rows_requeued)
                        VALUES ($1, $2, $3::jsonb, $4) RETURNING id
                        """,
                        [
                            .text(batchID), .text(requestedBy), .jsonb(Self.followThroughFilters.jsonString()),
                            .int(result.rowsRequeued),
                        ])
                    result.rerunID = try recorded[0].decode(Int64.self, "id")
                }
                return result
            }
        }
    }

    /// How many follow-throughs of the batch are `failed` now (what ``requeueFollowThrough(batchID:requestedBy:)``
    /// would move; nothing changes).
    /// - Throws: ``OperationError``: `.unknownBatch`, `.database`.
    package func failedFollowThroughs(batchID: String) async throws -> Int {
        try await OperationError.database("count the failed follow-throughs of batch \(batchID)") {
            try await pool.withConnection { connection in
                try await Self.checkBatchExists(batchID, on: connection)
                return try await connection.query(
                    """
                    SELECT count(*) AS n FROM idv.verification_requests
                    WHERE batch_id = $1 AND status = 'created' AND instructions_status = 'failed'
                      AND lease_operation IS NULL
                    """, [.text(batchID)]
                )[0].decode(Int.self, "n")
            }
        }
    }
}
