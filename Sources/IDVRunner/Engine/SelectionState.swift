import PostgresClient

/// Read-only views of the selection: is work left, when is the next retry due, what is the tally.
struct SelectionState: Sendable {
    let database: any RunnerDatabase
    let batches: [String]

    /// What is left to do, as seen when this worker has nothing in flight.
    struct Outlook: Sendable, Hashable {
        var pending: Int
        /// Pending rows runnable now.
        var due: Int
        /// Seconds (server clock) until the earliest pending row is due; `nil` when none is pending.
        var nextDueIn: Double?
        /// Rows held by live leases (this worker holds none when it asks).
        var inProgress: Int
    }

    /// One error class among failed rows, with one row as an example.
    struct ErrorClassTally: Sendable, Hashable {
        var errorClass: String
        var count: Int
        var exampleID: Int64
        var exampleExternalRef: String
        var exampleError: String?
    }

    func outlook() async throws -> Outlook {
        let rows = try await database.query(
            """
            SELECT count(*) FILTER (WHERE status = 'pending') AS pending,
                   count(*) FILTER (WHERE status = 'pending'
                                      AND (next_attempt_at IS NULL OR next_attempt_at <= now())) AS due,
                   EXTRACT(EPOCH FROM min(next_attempt_at) FILTER (WHERE status = 'pending') - now())::float8
                       AS next_due_in,
                   count(*) FILTER (WHERE status = 'in_progress') AS in_progress
            FROM idv.verification_requests
            WHERE status IN ('pending', 'in_progress') AND \(selectionPredicate(parameter: 1))
            """,
            [.textArray(batches)]
        )
        let row = rows[0]
        return Outlook(
            pending: try row.decode(Int.self, "pending"),
            due: try row.decode(Int.self, "due"),
            nextDueIn: try row.decode(Double?.self, "next_due_in"),
            inProgress: try row.decode(Int.self, "in_progress")
        )
    }

    /// Rows not yet finished (pending or in progress): the progress total, and "work left" at the end.
    func unfinishedCount() async throws -> Int {
        let rows = try await database.query(
            """
            SELECT count(*) AS n FROM idv.verification_requests
            WHERE status IN ('pending', 'in_progress') AND \(selectionPredicate(parameter: 1))
            """,
            [.textArray(batches)]
        )
        return try rows[0].decode(Int.self, "n")
    }

    /// Rows per state, and how many carry the possible-duplicate flag.
    func statusCounts() async throws -> (byStatus: [String: Int], possibleDuplicates: Int) {
        let rows = try await database.query(
            """
            SELECT status, count(*) AS n, count(*) FILTER (WHERE possible_duplicate) AS duplicates
            FROM idv.verification_requests
            WHERE \(selectionPredicate(parameter: 1))
            GROUP BY status
            """,
            [.textArray(batches)]
        )
        var counts: [String: Int] = [:]
        var duplicates = 0
        for row in rows {
            counts[try row.decode(String.self, "status")] = try row.decode(Int.self, "n")
            duplicates += try row.decode(Int.self, "duplicates")
        }
        return (counts, duplicates)
    }

    /// Failed rows per error class, each with its lowest-id row as the example.
    func failedByErrorClass() async throws -> [ErrorClassTally] {
        let rows = try await database.query(
            """
            SELECT DISTINCT ON (error_class)
                   coalesce(error_class, 'unclassified') AS error_class,
                   count(*) OVER (PARTITION BY error_class) AS n,
                   id, external_ref, last_error
            FROM idv.verification_requests
            WHERE status = 'failed' AND \(selectionPredicate(parameter: 1))
            ORDER BY error_class, id
            """,
            [.textArray(batches)]
        )
        return try rows.map { row in
            ErrorClassTally(
                errorClass: try row.decode(String.self, "error_class"),
                count: try row.decode(Int.self, "n"),
                exampleID: try row.decode(Int64.self, "id"),
                exampleExternalRef: try row.decode(String.self, "external_ref"),
                exampleError: try row.decode(String?.self, "last_error")
            )
        }
    }

    /// Batches of the selection that are paused and still hold rows waiting (`pending`), with who paused them and why.
    func pausedBatches() async throws -> [PausedBatch] {
        try await database.query(
            """
            SELECT b.batch_id, b.paused_by, b.pause_reason
            FROM idv.batches b
            WHERE b.paused_at IS NOT NULL AND \(selectionPredicate(column: "b.batch_id", parameter: 1))
              AND EXISTS (SELECT 1 FROM idv.verification_requests r WHERE r.batch_id = b.batch_id AND r.status = 'pending')
            ORDER BY b.batch_id
            """,
            [.textArray(batches)]
        ).map { row in
            PausedBatch(
                batchID: try row.decode(String.self, "batch_id"), pausedBy: try row.decode(String?.self, "paused_by"),
                reason: try row.decode(String?.self, "pause_reason"))
        }
    }

    /// A paused batch, as a run's summary names it.
    struct PausedBatch: Sendable, Hashable {
        var batchID: String
        var pausedBy: String?
        var reason: String?
    }
}
