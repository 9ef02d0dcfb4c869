import Foundation
import PostgresClient

/// This run's row in `idv.runs`: written at the start (so a crashed run is visible) and at the end.
struct RunRecord: Sendable {
    let database: any RunnerDatabase
    let id: Int64

    /// What a row of `idv.runs` records (`rerun` and `expire` rows are written by their own operations).
    enum Kind: String, Sendable {
        /// `run`, and the `instructions` follow-through.
        case run
        /// `sync`: fetches results, creates no sessions.
        case sync
    }

    /// Inserts the run (`kind`, default `run`) and returns its record.
    static func start(
        database: any RunnerDatabase,
        kind: Kind = .run,
        batches: [String],
        workerID: String,
        details: String
    ) async throws -> RunRecord {
        let rows = try await database.query(
            """
            INSERT INTO idv.runs (kind, batch_ids, worker, host, pid, started_at, details)
            VALUES ($6, $1::text[], $2, $3, $4, now(), $5::jsonb)
            RETURNING id
            """,
            [
                // NULL means "all batches" in idv.runs.
                batches.isEmpty ? .null : .textArray(batches),
                .text(workerID),
                .text(ProcessInfo.processInfo.hostName),
                .int(Int(ProcessInfo.processInfo.processIdentifier)),
                .jsonb(details),
                .text(kind.rawValue),
            ]
        )
        return RunRecord(database: database, id: try rows[0].decode(Int64.self, "id"))
    }

    /// Stamps the end: exit code and counts; `details` is merged into the start's details.
    func finish(summary: RunSummary, details: String) async throws {
        _ = try await database.query(
            """
            UPDATE idv.runs
            SET finished_at = now(), exit_code = $2, rows_created = $3, rows_failed = $4, rows_retried = $5,
                details = coalesce(details, '{}'::jsonb) || $6::jsonb
            WHERE id = $1
            """,
            [
                .bigint(id),
                .int(Int(summary.exitCode)),
                .int(summary.sessionsCreated),
                .int(summary.rowsFailed),
                .int(summary.retriesScheduled),
                .jsonb(details),
            ]
        )
    }

    /// Stamps the end of a run that created no sessions (the follow-through alone): exit code and details.
    func finish(exitCode: Int32, details: String) async throws {
        _ = try await database.query(
            """
            UPDATE idv.runs
            SET finished_at = now(), exit_code = $2, details = coalesce(details, '{}'::jsonb) || $3::jsonb
            WHERE id = $1
            """,
            [.bigint(id), .int(Int(exitCode)), .jsonb(details)]
        )
    }
}
