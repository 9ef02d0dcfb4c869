import Foundation
import PostgresClient
import YotiClient

/// `idv-batch rerun`: moves a batch's failed rows (all, or those matching a ``RerunFilter``) back to
/// `pending` and records the request in `idv.reruns`.
///
/// The rows get `attempts = 0` and `next_attempt_at = now()`; their `last_error`, `error_class` and
/// `last_http_status` stay until the next attempt replaces them, and the ledger (`idv.attempts`)
/// keeps every earlier try. The move and its record are one transaction. Running the rows is the
/// runner's job (the CLI starts one scoped to the batch unless `--no-run`).
package struct Rerunner: Sendable {
    /// What one re-queue did.
    package struct Result: Sendable, Hashable {
        package var batchID: String
        package var filter: RerunFilter
        /// Rows moved back to pending.
        package var rowsRequeued: Int
        /// Of those, how many per error class.
        package var requeuedByClass: [String: Int]
        /// `idv.reruns.id`, or `nil` when nothing matched (nothing is recorded then).
        package var rerunID: Int64?
        /// Failed rows of the batch the filter left alone.
        package var failedRowsLeft: Int

        /// One line for the operator.
        package func render() -> String {
            guard rowsRequeued > 0 else {
                return "Nothing to rerun in batch \(batchID): no failed rows match \(filter.summary)"
                    + (failedRowsLeft > 0 ? " (\(failedRowsLeft) failed rows of other kinds left as they are)." : ".")
            }
            let classes = requeuedByClass.sorted { $0.key < $1.key }.map { "\($0.key) \($0.value)" }.joined(
                separator: ", ")
            return "Re-queued \(rowsRequeued) failed rows of batch \(batchID) (\(classes)) as rerun "
                + "\(rerunID.map(String.init) ?? "-"); \(failedRowsLeft) failed rows left as they are."
        }
    }

    let pool: PostgresPool

    /// A rerunner working through `pool`.
    package init(pool: PostgresPool) {
        self.pool = pool
    }

    /// `$USER@host`, for `idv.reruns.requested_by`.
    package static func defaultRequester(environment: [String: String] = ProcessInfo.processInfo.environment) -> String
    {
        let user = [environment["USER"], environment["LOGNAME"]].compactMap { $0 }.first { !$0.isEmpty } ?? "unknown"
        return "\(user)@\(ProcessInfo.processInfo.hostName)"
    }

    /// Moves the batch's failed rows matching `filter` back to pending and records the rerun.
    /// - Parameter requestedBy: who asked (default ``defaultRequester(environment:)``).
    /// - Throws: ``OperationError``: `.unknownBatch` when no row and no `idv.batches` entry has the id,
    ///   `.usage` for an error class that is neither known nor present in the batch, `.database`.
    package func requeue(batchID: String, filter: RerunFilter, requestedBy: String = defaultRequester()) async throws
        -> Result
    {
        try await OperationError.database("re-queue the failed rows of batch \(batchID)") {
            try await pool.withTransaction { connection in
                try await Self.checkBatchExists(batchID, on: connection)
                try await Self.checkClasses(filter, batchID: batchID, on: connection)
                try await Self.refuseOnlyPurged(batchID, filter, on: connection)
                let moved = try await connection.query(
                    """
                    WITH moved AS (
                        UPDATE idv.verification_requests
                        SET status = 'pending', attempts = 0, next_attempt_at = now(),
                            lease_token = NULL, lease_owner = NULL, lease_expires_at = NULL
                        WHERE \(Self.matchingFailedRows)
                        RETURNING coalesce(error_class, $4) AS error_class
                    )
                    SELECT error_class, count(*) AS n FROM moved GROUP BY error_class
                    """, Self.parameters(batchID, filter))
                var byClass: [String: Int] = [:]
                for row in moved { byClass[try row.decode(String.self, "error_class")] = try row.decode(Int.self, "n") }
                let total = byClass.values.reduce(0, +)
                let left = try await connection.query(
                    "SELECT count(*) AS n FROM idv.verification_requests WHERE batch_id = $1 AND status = 'failed'",
                    [.text(batchID)])
                var rerunID: Int64?
                if total > 0 {
                    let recorded = try await connection.query(
                        """
                        INSERT INTO idv.reruns (batch_id, requested_by, filters, rows_requeued)
                        VALUES ($1, $2, $3::jsonb, $4) RETURNING id
                        """,
                        [.text(batchID), .text(requestedBy), .jsonb(filter.json.jsonString()), .int(total)])
                    rerunID = try recorded[0].decode(Int64.self, "id")
                }
                return Result(
                    batchID: batchID, filter: filter, rowsRequeued: total, requeuedByClass: byClass, rerunID: rerunID,
                    failedRowsLeft: try left[0].decode(Int.self, "n"))
            }
        }
    }

    /// How many failed rows of the batch ``requeue(batchID:filter:requestedBy:)`` would move now (nothing changes).
    /// - Throws: The same ``OperationError``s as ``requeue(batchID:filter:requestedBy:)``.
    package func matchingRows(batchID: String, filter: RerunFilter) async throws -> Int {
        try await OperationError.database("count the failed rows of batch \(batchID)") {
            try await pool.withConnection { connection in
                try await Self.checkBatchExists(batchID, on: connection)
                try await Self.checkClasses(filter, batchID: batchID, on: connection)
                return try await connection.query(
                    "SELECT count(*) AS n FROM idv.verification_requests WHERE \(Self.matchingFailedRows)",
                    Self.parameters(batchID, filter)
                )[0].decode(Int.self, "n")
            }
        }
    }

    /// The failed rows of batch `$1` matching error classes `$2` and HTTP statuses `$3` (empty = any);
    /// `$4` names rows without a class.
    private static let matchingFailedRows = """
        batch_id = $1 AND status = 'failed' AND personal_data_purged_at IS NULL
          AND (cardinality($2::text[]) = 0 OR coalesce(error_class, $4) = ANY ($2::text[]))
          AND (cardinality($3::bigint[]) = 0 OR last_http_status = ANY ($3::bigint[]))
        """

    /// A purged failed row has no spec left to send: when every matching failed row is purged, say so.
    private static func refuseOnlyPurged(_ batchID: String, _ filter: RerunFilter, on connection: PostgresConnection)
        async throws
    {
        let row = try await connection.query(
            """
            SELECT count(*) FILTER (WHERE personal_data_purged_at IS NULL) AS open,
                   count(*) FILTER (WHERE personal_data_purged_at IS NOT NULL) AS purged
            FROM idv.verification_requests
            WHERE \(matchingFailedRows.replacingOccurrences(of: " AND personal_data_purged_at IS NULL", with: ""))
            """, parameters(batchID, filter))[0]
        let purged = try row.decode(Int.self, "purged")
        guard purged > 0, try row.decode(Int.self, "open") == 0 else { return }
        throw OperationError(
            code: .usage,
            message: "the \(purged) matching failed rows of batch \(batchID) had their personal data purged "
                + "(retention or erasure): they cannot be rerun. Enqueue the people again as new rows if they "
                + "still need verifying.")
    }

    private static func parameters(_ batchID: String, _ filter: RerunFilter) -> [PostgresValue] {
        [
            .text(batchID), .textArray(filter.errorClasses), .bigintArray(filter.httpStatuses.map(Int64.init)),
            .text(ErrorClass.unclassified.rawValue),
        ]
    }

    /// Links a rerun to the run that processed its rows, and marks that run as a rerun in `idv.runs`.
    /// - Throws: ``OperationError`` `.database`.
    package func recordRun(rerunID: Int64, runID: Int64) async throws {
        try await OperationError.database("record the rerun's run") {
            try await pool.withTransaction { connection in
                try await connection.execute("UPDATE idv.runs SET kind = 'rerun' WHERE id = $1", [.bigint(runID)])
                try await connection.execute(
                    "UPDATE idv.reruns SET run_id = $2 WHERE id = $1", [.bigint(rerunID), .bigint(runID)])
            }
        }
    }

    /// Whether any row or an `idv.batches` entry has `batchID`.
    static func batchExists(_ batchID: String, query: (String, [PostgresValue]) async throws -> PostgresRows)
        async throws -> Bool
    {
        let rows = try await query(
            """
            SELECT EXISTS (SELECT 1 FROM idv.verification_requests WHERE batch_id = $1)
                OR EXISTS (SELECT 1 FROM idv.batches WHERE batch_id = $1) AS known
            """, [.text(batchID)])
        return try rows[0].decode(Bool.self, "known")
    }

    static func checkBatchExists(_ batchID: String, on connection: PostgresConnection) async throws {
        guard try await batchExists(batchID, query: { try await connection.query($0, $1) }) else {
            throw OperationError.unknownBatch(batchID)
        }
    }

    private static func checkClasses(_ filter: RerunFilter, batchID: String, on connection: PostgresConnection)
        async throws
    {
        let unknown = filter.errorClasses.filter { !RerunFilter.knownErrorClasses.contains($0) }
        guard !unknown.isEmpty else { return }
        let rows = try await connection.query(
            """
            SELECT DISTINCT coalesce(error_class, $2) AS error_class
            FROM idv.verification_requests WHERE batch_id = $1 AND status = 'failed'
            """, [.text(batchID), .text(ErrorClass.unclassified.rawValue)])
        let present = Set(try rows.map { try $0.decode(String.self, "error_class") })
        let missing = unknown.filter { !present.contains($0) }
        guard missing.isEmpty else {
            throw OperationError(
                code: .usage,
                message: "--only: unknown error class \(missing.joined(separator: ", ")). Known classes: "
                    + RerunFilter.knownErrorClasses.joined(separator: ", ")
                    + (present.isEmpty
                        ? "." : "; failed rows of this batch have: \(present.sorted().joined(separator: ", ")).")
            )
        }
    }
}
