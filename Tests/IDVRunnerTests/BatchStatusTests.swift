import Foundation
import PostgresClient
import TestSupport
import Testing
import YotiAPI

@testable import IDVRunner

/// `status`: the counts it shows and the documented `--json` shape.
@Suite("Batch status (PostgreSQL + sandbox)", .serialized)
struct BatchStatusTests {
    /// Every key of the documented shape, per level.
    static let topKeys: Set<String> = ["schema_version", "generated_at", "batches"]
    static let batchKeys: Set<String> = [
        "batch_id", "registered_at", "note", "rows", "error_classes", "sessions", "possible_duplicates", "retries",
        "runs",
        "reruns", "paused", "actions", "follow_through", "results",
    ]
    static let rowKeys: Set<String> = ["total", "pending", "in_progress", "created", "failed", "expired", "cancelled"]
    static let runKeys: Set<String> = [
        "id", "kind", "worker", "all_batches", "started_at", "finished_at", "duration_seconds", "creating_seconds",
        "exit_code",
        "rows_created",
        "rows_failed", "rows_retried", "sessions_per_second", "expired", "remote_deleted",
    ]
    static let rerunKeys: Set<String> = [
        "id", "requested_by", "requested_at", "filters", "rows_requeued", "run_id", "run_duration_seconds",
        "run_sessions_per_second",
    ]

    @Test("--json has the documented shape, every key present, with the batch's counts, classes, runs and reruns")
    func jsonShape() async throws {
        try await RunnerHarness.with { harness in
            let batch = RunnerHarness.batchID("status")
            try await harness.enqueue(batch: batch, count: 8)
            // Two rows whose spec can never be sent: they fail at once as invalid_spec.
            try await harness.enqueue(
                batch: batch, count: 2, spec: ["client_session_token_ttl": 10], prefix: "bad-")
            let summary = try await harness.run(harness.configuration(batch: batch))
            #expect(summary.sessionsCreated == 8)
            let rerun = try await Rerunner(pool: harness.pool).requeue(
                batchID: batch, filter: RerunFilter(errorClasses: ["invalid_spec"]), requestedBy: "ops@test")
            _ = try await harness.run(harness.configuration(batch: batch))
            try await harness.pool.execute(
                "UPDATE idv.verification_requests SET status = 'pending', attempts = 2, next_attempt_at = '2030-01-01T00:00:00Z' "
                    + "WHERE batch_id = $1 AND external_ref = 'ref-1'", [.text(batch)])

            let report = try await BatchStatus(database: harness.pool).report(batchID: batch)
            let json = try JSONValue(jsonString: report.jsonString())
            // The run's summary and status give its rate the same way: over the time spent creating sessions.
            #expect(
                summary.render().contains(
                    String(
                        format: "%.1f sessions/s over %.1f s creating", summary.throughput,
                        summary.duration.secondsDouble)))
            let first = try #require(report.batches.first?.runs.last)
            #expect(
                first.rowsCreated == 8 && abs((first.creatingSeconds ?? 0) - summary.duration.secondsDouble) < 0.001)
            #expect(abs((first.sessionsPerSecond ?? 0) - summary.throughput) < 0.01)
            #expect(Set(try #require(json.objectValue).keys) == Self.topKeys)
            #expect(json["schema_version"] == 1)
            #expect(RFC3339.date(from: try #require(json["generated_at"]?.stringValue)) != nil)
            let batches = try #require(json["batches"]?.arrayValue)
            #expect(batches.count == 1)
            let entry = batches[0]
            #expect(Set(try #require(entry.objectValue).keys) == Self.batchKeys)
            #expect(entry["batch_id"] == .string(batch))
            #expect(entry["registered_at"] == .null && entry["note"] == .null)
            #expect(Set(try #require(entry["rows"]?.objectValue).keys) == Self.rowKeys)
            #expect(
                entry["rows"] == [
                    "total": 10, "pending": 1, "in_progress": 0, "created": 7, "failed": 2, "expired": 0,
                    "cancelled": 0,
                ])
            let classes = try #require(entry["error_classes"]?.arrayValue)
            #expect(classes.count == 1)
            #expect(classes[0]["class"] == "invalid_spec" && classes[0]["count"] == 2)
            #expect(classes[0]["example"]?["external_ref"] == "bad-1")
            #expect(classes[0]["example"]?["last_error"]?.stringValue?.contains("client_session_token_ttl") == true)
            #expect(entry["sessions"] == ["rows_with_session": 8, "created_in_ledger": 8, "remote_deleted": 0])
            #expect(entry["possible_duplicates"] == 0)
            #expect(entry["retries"] == ["scheduled": 1, "next_at": "2030-01-01T00:00:00.000Z"])
            let runs = try #require(entry["runs"]?.arrayValue)
            #expect(runs.count == 2)
            for run in runs {
                #expect(Set(try #require(run.objectValue).keys) == Self.runKeys)
                #expect(run["kind"] == "run" && run["all_batches"] == false && run["duration_seconds"]?.isNull == false)
            }
            #expect(runs.map { $0["rows_created"] } == [0, 8])  // newest first
            let reruns = try #require(entry["reruns"]?.arrayValue)
            #expect(reruns.count == 1)
            #expect(Set(try #require(reruns[0].objectValue).keys) == Self.rerunKeys)
            #expect(reruns[0]["id"] == .integer(try #require(rerun.rerunID)))
            #expect(reruns[0]["requested_by"] == "ops@test" && reruns[0]["rows_requeued"] == 2)
            #expect(reruns[0]["filters"] == ["error_classes": ["invalid_spec"], "http_statuses": []])
            #expect(reruns[0]["run_id"] == .null)  // linking is the CLI's job (recordRun)

            let table = report.render()
            #expect(table.contains("Batch \(batch)") && table.contains("invalid_spec: 2"))
            // The rerun's filters in words, not raw JSON; no pause, no operator actions yet.
            #expect(table.contains("rows (classes invalid_spec)"), "\(table)")
            #expect(!table.contains("{\"error_classes\""), "\(table)")
            #expect(entry["paused"] == .null && entry["actions"] == [])
        }
    }

    @Test("without a batch id every batch is listed, including one only registered; an unknown id is an error")
    func allBatchesAndUnknown() async throws {
        try await MigratedDatabase.with { database in
            try await database.addConfiguration("standard")
            _ = try await database.enqueue(#"{"external_ref": "a"}"#, batch: "b-2", config: "standard")
            try await database.pool.execute(
                "INSERT INTO idv.batches (batch_id, note) VALUES ('b-1', 'registered only')")
            try await database.pool.execute(
                "INSERT INTO idv.runs (kind, batch_ids, started_at, finished_at, rows_created) "
                    + "VALUES ('expire', NULL, now() - interval '2 seconds', now(), 0)")
            let report = try await BatchStatus(database: database.pool).report()
            #expect(report.batches.map(\.batchID) == ["b-1", "b-2"])
            #expect(report.batches[0].note == "registered only" && report.batches[0].rows.total == 0)
            #expect(report.batches[1].rows.pending == 1 && report.batches[1].registeredAt != nil)
            // A run over all batches shows under each.
            #expect(report.batches.allSatisfy { $0.runs.map(\.kind) == ["expire"] && $0.runs[0].allBatches })
            // Without a batch name: one line per batch under a header, then where the details are.
            let overview = report.renderOverview().split(separator: "\n", omittingEmptySubsequences: false)
            #expect(overview.count == 5, "\(overview)")
            #expect(
                overview[0].hasPrefix("batch ") && overview[0].contains("pending")
                    && overview[0].hasSuffix("latest run"))
            #expect(overview[1].hasPrefix("b-1 ") && overview[1].contains(" expire "), "\(overview)")
            #expect(overview[2].split(separator: " ").prefix(8) == ["b-2", "1", "0", "0", "0", "0", "0", "1"])
            #expect(overview[4].contains("idv-batch status <batch-id>"))
            #expect(
                !overview.contains { $0.contains("runs (latest first)") || $0.contains("failed rows by error class") })
            let error = await #expect(throws: OperationError.self) {
                try await BatchStatus(database: database.pool).report(batchID: "nope")
            }
            #expect(error?.code == .unknownBatch)
        }
    }

    @Test(
        "runs: the rate is over the time spent creating (as the run's summary says), the follow-through in the duration only; a sync has no rate"
    )
    func runRatesAndSyncRows() async throws {
        try await MigratedDatabase.with { database in
            try await database.addConfiguration("standard")
            _ = try await database.enqueue(#"{"external_ref": "a"}"#, batch: "b-rate", config: "standard")
            try await database.pool.execute(
                """
                INSERT INTO idv.runs (kind, batch_ids, started_at, finished_at, rows_created, details) VALUES
                ('run', ARRAY['b-rate'], now() - interval '62.6 seconds', now(), 3000, '{"duration_seconds": 43.1}'),
                ('run', ARRAY['b-rate'], now() - interval '10 seconds', now(), 500, '{}'),
                ('sync', ARRAY['b-rate'], now() - interval '3 seconds', now(), 0, '{}')
                """)
            let report = try await BatchStatus(database: database.pool).report(batchID: "b-rate")
            let runs = try #require(report.batches.first?.runs)
            #expect(runs.map(\.kind) == ["sync", "run", "run"])
            #expect(runs[0].sessionsPerSecond == nil && runs[0].creatingSeconds == nil)
            // An older row without the creating time: the whole duration.
            #expect(runs[1].sessionsPerSecond == 50 && runs[1].creatingSeconds == nil)
            #expect(runs[2].sessionsPerSecond == 69.61 && runs[2].creatingSeconds == 43.1)
            let table = report.render()
            #expect(table.contains("62.6 s in all, 69.6 sessions/s over 43.1 s creating"), "\(table)")
            #expect(table.contains("10.0 s, 50.0 sessions/s"), "\(table)")
            let sync = try #require(table.split(separator: "\n").first { $0.contains("#\(runs[0].id) sync") })
            #expect(!sync.contains("sessions/s") && !sync.contains("created"), "\(sync)")
            #expect(report.json["batches"]?[0]?["runs"]?[2]?["creating_seconds"] == .double(43.1))
        }
    }

    @Test("migration 0012 relabels the sync runs recorded before it (kind run, details sync) as kind sync")
    func oldSyncRowsRelabelled() async throws {
        try await MigratedDatabase.with { database in
            try await database.pool.execute(
                "ALTER TABLE idv.runs DROP CONSTRAINT runs_kind_check")
            try await database.pool.execute(
                """
                INSERT INTO idv.runs (kind, started_at, details) VALUES
                ('run', now(), '{"sync": true}'), ('run', now(), '{"concurrency": 8}')
                """)
            let script = try String(
                contentsOf: SharedPaths.migrations.appendingPathComponent("0012_sync_run_kind.sql"), encoding: .utf8)
            try await withConnection(database.configuration) { try await $0.executeScript(script) }
            let kinds = try await database.pool.query("SELECT kind FROM idv.runs ORDER BY id").map {
                try $0.decode(String.self, "kind")
            }
            #expect(kinds == ["sync", "run"])
            await #expect(throws: PostgresError.self) {
                try await database.pool.execute("INSERT INTO idv.runs (kind) VALUES ('other')")
            }
        }
    }
}
