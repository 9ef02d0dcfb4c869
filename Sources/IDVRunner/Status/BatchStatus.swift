import Foundation
import PostgresClient
import YotiAPI
import YotiClient

/// `idv-batch status`: reads the state of one batch or of every batch into a ``BatchStatusReport``.
///
/// A handful of grouped statements for all the batches shown (not one per batch), each a plain
/// read: safe to run at any time, also while runs and sweeps are working.
package struct BatchStatus: Sendable {
    /// How many of a batch's latest runs and reruns are listed.
    package static let historyLimit = 10

    let database: any RunnerDatabase

    /// Reads through `database` (a `PostgresPool`).
    package init(database: any RunnerDatabase) {
        self.database = database
    }

    /// The report for `batchID`, or for every batch when `nil` (ordered by id).
    /// - Throws: ``OperationError`` `.unknownBatch` for a batch id no row or `idv.batches` entry has; `.database`.
    package func report(batchID: String? = nil) async throws -> BatchStatusReport {
        try await OperationError.database("read the status") {
            let generatedAt = try await database.query("SELECT \(StatusTime.sql("now()")) AS now", [])[0]
                .decode(String.self, "now")
            let ids: [String]
            if let batchID {
                guard try await Rerunner.batchExists(batchID, query: database.query) else {
                    throw OperationError.unknownBatch(batchID)
                }
                ids = [batchID]
            } else {
                ids = try await database.query(
                    """
                    SELECT batch_id FROM idv.batches
                    UNION
                    SELECT DISTINCT batch_id FROM idv.verification_requests
                    ORDER BY 1
                    """, []
                ).map { try $0.decode(String.self, "batch_id") }
            }
            var batches: [String: BatchStatusReport.Batch] = [:]
            for id in ids { batches[id] = Self.emptyBatch(id) }
            try await readRegistrations(ids, into: &batches)
            try await readCounts(ids, into: &batches)
            try await readErrorClasses(ids, into: &batches)
            try await readLedger(ids, into: &batches)
            try await readRuns(ids, into: &batches)
            try await readReruns(ids, into: &batches)
            try await readPauses(ids, into: &batches)
            try await readActions(ids, into: &batches)
            try await readFollowThrough(ids, into: &batches)
            try await readResults(ids, into: &batches)
            return BatchStatusReport(
                schemaVersion: BatchStatusReport.currentSchemaVersion, generatedAt: generatedAt,
                batches: ids.compactMap { batches[$0] })
        }
    }

    private static func emptyBatch(_ id: String) -> BatchStatusReport.Batch {
        BatchStatusReport.Batch(
            batchID: id, registeredAt: nil, note: nil, rows: .init(), errorClasses: [], sessions: .init(),
            possibleDuplicates: 0, retries: .init(), runs: [], reruns: [])
    }

    private func readRegistrations(_ ids: [String], into batches: inout [String: BatchStatusReport.Batch]) async throws
    {
        let rows = try await database.query(
            "SELECT batch_id, \(StatusTime.sql("created_at")) AS at, note FROM idv.batches WHERE batch_id = ANY ($1::text[])",
            [.textArray(ids)])
        for row in rows {
            let id = try row.decode(String.self, "batch_id")
            batches[id]?.registeredAt = try row.decode(String?.self, "at")
            batches[id]?.note = try row.decode(String?.self, "note")
        }
    }

    private func readCounts(_ ids: [String], into batches: inout [String: BatchStatusReport.Batch]) async throws {
        let rows = try await database.query(
            """
            SELECT batch_id, status, count(*) AS n,
                   count(*) FILTER (WHERE possible_duplicate) AS duplicates,
                   count(session_id) AS with_session,
                   count(remote_deleted_at) AS remote_deleted,
                   count(*) FILTER (WHERE status = 'pending' AND attempts > 0) AS retries,
                   \(StatusTime.sql("min(next_attempt_at) FILTER (WHERE status = 'pending' AND attempts > 0)")) AS next_retry
            FROM idv.verification_requests
            WHERE batch_id = ANY ($1::text[])
            GROUP BY batch_id, status
            """, [.textArray(ids)])
        for row in rows {
            let id = try row.decode(String.self, "batch_id")
            guard var batch = batches[id] else { continue }
            batch.rows.add(try row.decode(Int.self, "n"), state: try row.decode(String.self, "status"))
            batch.possibleDuplicates += try row.decode(Int.self, "duplicates")
            batch.sessions.rowsWithSession += try row.decode(Int.self, "with_session")
            batch.sessions.remoteDeleted += try row.decode(Int.self, "remote_deleted")
            batch.retries.scheduled += try row.decode(Int.self, "retries")
            if let next = try row.decode(String?.self, "next_retry") { batch.retries.nextAt = next }
            batches[id] = batch
        }
    }

    private func readErrorClasses(_ ids: [String], into batches: inout [String: BatchStatusReport.Batch]) async throws {
        let rows = try await database.query(
            """
            SELECT DISTINCT ON (batch_id, error_class)
                   batch_id, coalesce(error_class, $2) AS error_class,
                   count(*) OVER (PARTITION BY batch_id, error_class) AS n,
                   id, external_ref, last_error, last_http_status
            FROM idv.verification_requests
            WHERE batch_id = ANY ($1::text[]) AND status = 'failed'
            ORDER BY batch_id, error_class, id
            """, [.textArray(ids), .text(ErrorClass.unclassified.rawValue)])
        for row in rows {
            let id = try row.decode(String.self, "batch_id")
            let example = BatchStatusReport.Example(
                id: try row.decode(Int64.self, "id"), externalRef: try row.decode(String.self, "external_ref"),
                lastError: try row.decode(String?.self, "last_error"),
                lastHTTPStatus: try row.decode(Int?.self, "last_http_status"))
            batches[id]?.errorClasses.append(
                BatchStatusReport.ErrorClass(
                    name: try row.decode(String.self, "error_class"), count: try row.decode(Int.self, "n"),
                    example: example))
        }
        for id in ids {
            batches[id]?.errorClasses.sort { ($0.count, $1.name) > ($1.count, $0.name) }
        }
    }

    private func readLedger(_ ids: [String], into batches: inout [String: BatchStatusReport.Batch]) async throws {
        let rows = try await database.query(
            """
            SELECT batch_id, count(*) AS n FROM idv.attempts
            WHERE batch_id = ANY ($1::text[]) AND session_id IS NOT NULL AND operation = 'create_session'
            GROUP BY batch_id
            """, [.textArray(ids)])
        for row in rows {
            batches[try row.decode(String.self, "batch_id")]?.sessions.createdInLedger = try row.decode(Int.self, "n")
        }
    }

    private func readFollowThrough(_ ids: [String], into batches: inout [String: BatchStatusReport.Batch]) async throws
    {
        let rows = try await database.query(
            """
            SELECT batch_id, instructions_status AS state, count(*) AS n, count(letter_path) AS letters,
                   coalesce(sum(letter_bytes) FILTER (WHERE letter_path IS NOT NULL), 0)::bigint AS bytes
            FROM idv.verification_requests
            WHERE batch_id = ANY ($1::text[]) AND instructions_status IS NOT NULL
            GROUP BY batch_id, instructions_status
            """, [.textArray(ids)])
        for row in rows {
            let id = try row.decode(String.self, "batch_id")
            batches[id]?.followThrough.states[try row.decode(String.self, "state")] = try row.decode(Int.self, "n")
            batches[id]?.followThrough.lettersSaved += try row.decode(Int.self, "letters")
            batches[id]?.followThrough.letterBytes += try row.decode(Int64.self, "bytes")
        }
    }

    private func readResults(_ ids: [String], into batches: inout [String: BatchStatusReport.Batch]) async throws {
        let rows = try await database.query(
            """
            SELECT batch_id, coalesce(remote_state, '') AS state, coalesce(result_recommendation, '') AS recommendation,
                   count(*) AS n, count(*) FILTER (WHERE result_priority IS NOT NULL) AS waiting,
                   \(StatusTime.sql("max(result_checked_at)")) AS last_checked
            FROM idv.verification_requests
            WHERE batch_id = ANY ($1::text[]) AND session_id IS NOT NULL
            GROUP BY batch_id, remote_state, result_recommendation
            """, [.textArray(ids)])
        for row in rows {
            let id = try row.decode(String.self, "batch_id")
            guard var results = batches[id]?.results else { continue }
            let state = try row.decode(String.self, "state")
            let recommendation = try row.decode(String.self, "recommendation")
            let count = try row.decode(Int.self, "n")
            if state.isEmpty { results.neverChecked += count } else { results.states[state, default: 0] += count }
            if state == "COMPLETED" && !recommendation.isEmpty {
                results.recommendations[recommendation, default: 0] += count
            }
            results.syncWaiting += try row.decode(Int.self, "waiting")
            if let last = try row.decode(String?.self, "last_checked"), last > (results.lastCheckedAt ?? "") {
                results.lastCheckedAt = last
            }
            batches[id]?.results = results
        }
        let notified = try await database.query(
            """
            SELECT r.batch_id, count(*) AS received,
                   count(*) FILTER (WHERE n.processed_at IS NULL OR n.processed_at < n.last_received_at) AS pending
            FROM idv.notifications n
            JOIN idv.verification_requests r ON r.session_id = n.session_id
            WHERE r.batch_id = ANY ($1::text[])
            GROUP BY r.batch_id
            """, [.textArray(ids)])
        for row in notified {
            let id = try row.decode(String.self, "batch_id")
            batches[id]?.results.notificationsReceived = try row.decode(Int.self, "received")
            batches[id]?.results.notificationsPending = try row.decode(Int.self, "pending")
        }
    }

    private func readRuns(_ ids: [String], into batches: inout [String: BatchStatusReport.Batch]) async throws {
        // Runs over all batches (batch_ids NULL or empty) concern every batch; list the latest of them too.
        let rows = try await database.query(
            """
            SELECT id, kind, worker, coalesce(batch_ids, '{}') AS batch_ids,
                   coalesce(cardinality(batch_ids), 0) = 0 AS all_batches,
                   \(StatusTime.sql("started_at")) AS started, \(StatusTime.sql("finished_at")) AS finished,
                   EXTRACT(EPOCH FROM finished_at - started_at)::float8 AS seconds,
                   CASE WHEN finished_at IS NOT NULL THEN (details ->> 'duration_seconds')::float8 END AS creating,
                   exit_code, rows_created, rows_failed, rows_retried,
                   (details ->> 'expired')::int AS expired,
                   ((details ->> 'remote_deleted')::int + coalesce((details ->> 'remote_already_gone')::int, 0)) AS remote_deleted
            FROM (
                (SELECT * FROM idv.runs WHERE batch_ids && $1::text[] ORDER BY id DESC LIMIT $2)
                UNION ALL
                (SELECT * FROM idv.runs WHERE coalesce(cardinality(batch_ids), 0) = 0 ORDER BY id DESC LIMIT $3)
            ) AS r
            ORDER BY id DESC
            """, [.textArray(ids), .int(Self.historyLimit * ids.count), .int(Self.historyLimit)])
        for row in rows {
            let seconds = try row.decode(Double?.self, "seconds")
            let created = try row.decode(Int.self, "rows_created")
            let kind = try row.decode(String.self, "kind")
            let creating = try row.decode(Double?.self, "creating")
            let createsSessions = kind == "run" || kind == "rerun"
            var run = BatchStatusReport.Run(
                id: try row.decode(Int64.self, "id"), kind: kind,
                worker: try row.decode(String?.self, "worker"), allBatches: try row.decode(Bool.self, "all_batches"),
                startedAt: try row.decode(String.self, "started"), finishedAt: try row.decode(String?.self, "finished"),
                durationSeconds: seconds, creatingSeconds: createsSessions ? creating : nil,
                exitCode: try row.decode(Int?.self, "exit_code"), rowsCreated: created,
                rowsFailed: try row.decode(Int.self, "rows_failed"),
                rowsRetried: try row.decode(Int.self, "rows_retried"),
                sessionsPerSecond: createsSessions ? Self.rate(created, creating ?? seconds) : nil)
            if kind == "expire" {
                run.expired = try row.decode(Int?.self, "expired")
                run.remoteDeleted = try row.decode(Int?.self, "remote_deleted")
            }
            let targets = run.allBatches ? ids : try row.decode([String].self, "batch_ids")
            for id in targets where (batches[id]?.runs.count ?? Self.historyLimit) < Self.historyLimit {
                batches[id]?.runs.append(run)
            }
        }
    }

    private func readReruns(_ ids: [String], into batches: inout [String: BatchStatusReport.Batch]) async throws {
        let rows = try await database.query(
            """
            SELECT * FROM (
                SELECT x.id, x.batch_id, x.requested_by, \(StatusTime.sql("x.requested_at")) AS requested,
                       x.filters::text AS filters, x.rows_requeued, x.run_id,
                       EXTRACT(EPOCH FROM r.finished_at - r.started_at)::float8 AS seconds, r.rows_created,
                       CASE WHEN r.finished_at IS NOT NULL THEN (r.details ->> 'duration_seconds')::float8 END
                           AS creating,
                       row_number() OVER (PARTITION BY x.batch_id ORDER BY x.id DESC) AS position
                FROM idv.reruns AS x LEFT JOIN idv.runs AS r ON r.id = x.run_id
                WHERE x.batch_id = ANY ($1::text[])
            ) AS latest
            WHERE position <= $2
            ORDER BY id DESC
            """, [.textArray(ids), .int(Self.historyLimit)])
        for row in rows {
            let seconds = try row.decode(Double?.self, "seconds")
            let filters = try row.decode(String?.self, "filters").flatMap { try? JSONValue(jsonString: $0) }
            let rerun = BatchStatusReport.Rerun(
                id: try row.decode(Int64.self, "id"), requestedBy: try row.decode(String?.self, "requested_by"),
                requestedAt: try row.decode(String.self, "requested"), filters: filters,
                rowsRequeued: try row.decode(Int?.self, "rows_requeued"), runID: try row.decode(Int64?.self, "run_id"),
                runDurationSeconds: seconds,
                runSessionsPerSecond: try row.decode(Int?.self, "rows_created").flatMap {
                    Self.rate($0, try row.decode(Double?.self, "creating") ?? seconds)
                })
            batches[try row.decode(String.self, "batch_id")]?.reruns.append(rerun)
        }
    }

    private func readPauses(_ ids: [String], into batches: inout [String: BatchStatusReport.Batch]) async throws {
        let rows = try await database.query(
            """
            SELECT batch_id, \(StatusTime.sql("paused_at")) AS at, paused_by, pause_reason FROM idv.batches
            WHERE batch_id = ANY ($1::text[]) AND paused_at IS NOT NULL
            """, [.textArray(ids)])
        for row in rows {
            batches[try row.decode(String.self, "batch_id")]?.pause = BatchStatusReport.Pause(
                at: try row.decode(String.self, "at"), by: try row.decode(String?.self, "paused_by"),
                reason: try row.decode(String?.self, "pause_reason"))
        }
    }

    private func readActions(_ ids: [String], into batches: inout [String: BatchStatusReport.Batch]) async throws {
        let rows = try await database.query(
            """
            SELECT * FROM (
                SELECT id, batch_id, action, actor, reason, \(StatusTime.sql("at")) AS at_text, details::text AS details,
                       row_number() OVER (PARTITION BY batch_id ORDER BY id DESC) AS position
                FROM idv.batch_actions WHERE batch_id = ANY ($1::text[])
            ) AS latest
            WHERE position <= $2
            ORDER BY id DESC
            """, [.textArray(ids), .int(Self.historyLimit)])
        for row in rows {
            batches[try row.decode(String.self, "batch_id")]?.actions.append(
                BatchStatusReport.Action(
                    id: try row.decode(Int64.self, "id"), action: try row.decode(String.self, "action"),
                    actor: try row.decode(String.self, "actor"), reason: try row.decode(String?.self, "reason"),
                    at: try row.decode(String.self, "at_text"),
                    details: try row.decode(String?.self, "details").flatMap { try? JSONValue(jsonString: $0) }))
        }
    }

    private static func rate(_ count: Int, _ seconds: Double?) -> Double? {
        guard let seconds, seconds > 0 else { return nil }
        return (Double(count) / seconds * 100).rounded() / 100
    }
}
