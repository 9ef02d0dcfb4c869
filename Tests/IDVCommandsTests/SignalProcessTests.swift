import Foundation
import LocalPostgres
import PostgresClient
import TestSupport
import Testing
import YotiAPI

#if canImport(Glibc)
    import Glibc
#endif

/// SIGTERM on every command that writes (`expire`, `migrate`, `enqueue`, `configs push`), as real processes:
/// the work in flight finishes or rolls back, what was done is recorded, and the exit code is 143.
@Suite("SIGTERM on writing commands (processes)", .serialized)
struct SignalProcessTests {
    /// Polls `condition` every 50 ms for up to `seconds`.
    static func waitFor(_ what: String, seconds: Double = 60, _ condition: () async throws -> Bool) async throws {
        let deadline = ContinuousClock.now + .seconds(seconds)
        while ContinuousClock.now < deadline {
            if try await condition() { return }
            try await Task.sleep(for: .milliseconds(50))
        }
        Issue.record("timed out waiting for \(what)")
        throw CancellationError()
    }

    static func count(_ pool: PostgresPool, _ sql: String, _ parameters: [PostgresValue] = []) async throws -> Int {
        try await pool.query("SELECT count(*) AS n FROM (\(sql)) AS counted", parameters)[0].decode(Int.self, "n")
    }

    @Test(
        "expire --delete-remote: SIGTERM mid-deletes finishes the calls in flight, records the run and the metrics file, exits 143"
    )
    func expire() async throws {
        try await CommandHarness.with(behaviour: .latency(.milliseconds(400))) { harness in
            let batch = CommandHarness.batchID("expire-term")
            try await harness.enqueue(batch: batch, count: 200)
            try await harness.pool.execute(
                """
                UPDATE idv.verification_requests SET status = 'created', session_id = 'gone-' || id,
                    client_session_token = 'tok-' || id, token_expires_at = now() - interval '1 hour'
                WHERE batch_id = $1
                """, [.text(batch)])
            let metrics = FileManager.default.temporaryDirectory.appendingPathComponent(
                "idv-expire-\(UUID().uuidString.prefix(8)).prom"
            ).path
            defer { try? FileManager.default.removeItem(atPath: metrics) }
            let process = try IDVBatchProcess.launch(
                [
                    "expire", "--batch", batch, "--delete-remote", "--delete-concurrency", "2", "--api-url",
                    harness.sandbox.idvBaseURL,
                    "--metrics-file", metrics, "--log-level", "warning",
                ],
                environment: IDVBatchProcess.environment([
                    "DATABASE_URL": harness.postgres.unredactedConnectionString,
                    "YOTI_CLIENT_SDK_ID": CommandHarness.sdkID,
                    "YOTI_KEY_FILE_PATH": SharedPaths.ownerOnlyTestKey,
                ]),
                name: "expire-term")
            try await Self.waitFor("the first deletes") {
                try await Self.count(
                    harness.pool,
                    "SELECT 1 FROM idv.attempts WHERE batch_id = $1 AND operation = 'delete_session' AND finished_at IS NOT NULL",
                    [.text(batch)]) >= 2
            }
            process.send(SIGTERM)
            let result = try await process.wait()
            #expect(result.status == 143, "\(result.output)")
            #expect(result.output.contains("interrupted"), "\(result.output)")

            let run = try await harness.pool.query(
                "SELECT finished_at IS NOT NULL AS finished, exit_code FROM idv.runs WHERE kind = 'expire' ORDER BY id DESC LIMIT 1"
            )
            #expect(try run[0].decode(Bool.self, "finished"))
            #expect(try run[0].decode(Int?.self, "exit_code") == 143)
            // The calls in flight were written back: no attempt open, no row leased, and work is left for the next sweep.
            #expect(
                try await Self.count(
                    harness.pool, "SELECT 1 FROM idv.attempts WHERE batch_id = $1 AND finished_at IS NULL",
                    [.text(batch)]) == 0)
            #expect(
                try await Self.count(
                    harness.pool,
                    "SELECT 1 FROM idv.verification_requests WHERE batch_id = $1 AND lease_operation IS NOT NULL",
                    [.text(batch)]) == 0)
            let deleted = try await Self.count(
                harness.pool,
                "SELECT 1 FROM idv.verification_requests WHERE batch_id = $1 AND remote_deleted_at IS NOT NULL",
                [.text(batch)])
            #expect(deleted >= 2 && deleted < 200)
            let text = try PrometheusText(String(contentsOfFile: metrics, encoding: .utf8))
            #expect(text.value("idv_expiry_exit_code") == 143)
        }
    }

    @Test(
        "migrate: SIGTERM while it waits (or applies) rolls the migration in flight back and exits 143; migrate again finishes"
    )
    func migrate() async throws {
        try await TestDatabase.withEmptyDatabase { configuration in
            let environment = IDVBatchProcess.environment([
                "DATABASE_URL": configuration.unredactedConnectionString, "IDV_SQL_DIR": SharedPaths.migrations.path,
            ])
            // Another migrate holds the lock: this one waits inside its first statement.
            let holder = try await PostgresConnection.connect(configuration)
            _ = try await holder.query("SELECT pg_advisory_lock($1)", [.bigint(Migrator.advisoryLockKey)])
            let process = try IDVBatchProcess.launch(["migrate"], environment: environment, name: "migrate-term")
            try await Self.waitFor("migrate to wait for the lock") {
                try await holder.query(
                    // This database only: other suites' waiting advisory locks must not count (the full suite runs
                    // in parallel on one server).
                    """
                    SELECT count(*) AS n FROM pg_locks
                    WHERE locktype = 'advisory' AND NOT granted
                      AND database = (SELECT oid FROM pg_database WHERE datname = current_database())
                    """, []
                )[0].decode(Int.self, "n") > 0
            }
            process.send(SIGTERM)
            let result = try await process.wait()
            #expect(result.status == 143, "\(result.output)")
            #expect(result.output.contains("interrupted"), "\(result.output)")
            let schema = try await holder.query("SELECT to_regclass('idv.schema_migrations') IS NULL AS missing", [])
            #expect(try schema[0].decode(Bool.self, "missing"))
            _ = try await holder.query("SELECT pg_advisory_unlock($1)", [.bigint(Migrator.advisoryLockKey)])
            await holder.close()

            let again = try await IDVBatchProcess.launch(["migrate"], environment: environment, name: "migrate-again")
                .wait()
            #expect(again.status == 0, "\(again.output)")
        }
    }

    @Test(
        "enqueue: SIGTERM mid-load rolls back the insert in flight, keeps whole batches, exits 143; loading again completes"
    )
    func enqueue() async throws {
        try await CommandHarness.with { harness in
            let batch = CommandHarness.batchID("enqueue-term")
            try await harness.pool.execute(
                "INSERT INTO idv.session_configs (name, spec) VALUES ('term-config', $1::jsonb)",
                [.jsonb(TestSessionSpec.valid.jsonString())])
            let rows = 400_000
            let path = FileManager.default.temporaryDirectory.appendingPathComponent(
                "idv-term-\(UUID().uuidString.prefix(8)).jsonl"
            ).path
            defer { try? FileManager.default.removeItem(atPath: path) }
            var text = ""
            text.reserveCapacity(rows * 48)
            for index in 1...rows { text += "{\"external_ref\":\"p-\(index)\",\"config_name\":\"term-config\"}\n" }
            try text.write(toFile: path, atomically: true, encoding: .utf8)
            let environment = IDVBatchProcess.environment(["DATABASE_URL": harness.postgres.unredactedConnectionString])
            let arguments = ["enqueue", "--batch", batch, "--batch-size", "1000", "--log-level", "warning", path]
            let process = try IDVBatchProcess.launch(arguments, environment: environment, name: "enqueue-term")
            try await Self.waitFor("the first inserted rows") {
                try await Self.count(
                    harness.pool, "SELECT 1 FROM idv.verification_requests WHERE batch_id = $1", [.text(batch)]) > 0
            }
            process.send(SIGTERM)
            let result = try await process.wait()
            #expect(result.status == 143, "\(result.output)")
            #expect(result.output.contains("Load the same input again"), "\(result.output)")
            let loaded = try await Self.count(
                harness.pool, "SELECT 1 FROM idv.verification_requests WHERE batch_id = $1", [.text(batch)])
            #expect(loaded > 0 && loaded < rows)
            #expect(loaded % 1000 == 0, "only whole INSERT statements are kept: \(loaded)")

            let again = try await IDVBatchProcess.launch(arguments, environment: environment, name: "enqueue-again")
                .wait()
            #expect(again.status == 0, "\(again.output)")
            #expect(
                try await Self.count(
                    harness.pool, "SELECT 1 FROM idv.verification_requests WHERE batch_id = $1", [.text(batch)]) == rows
            )
        }
    }

    @Test("configs push --remote: SIGTERM during the Yoti Sign call lets it finish and be recorded, then exits 143")
    func configsPush() async throws {
        try await CommandHarness.with(behaviour: .latency(.seconds(2))) { harness in
            let name = "term-\(UUID().uuidString.prefix(8))"
            let path = try MigratedDatabase.temporaryFile(TestSessionSpec.valid.jsonString(), suffix: ".json")
            defer { try? FileManager.default.removeItem(atPath: path) }
            let process = try IDVBatchProcess.launch(
                ["configs", "push", path, "--name", name, "--remote", "--log-level", "warning"],
                environment: IDVBatchProcess.environment([
                    "DATABASE_URL": harness.postgres.unredactedConnectionString,
                    "YOTI_SIGN_API_KEY": CommandHarness.signKey,
                    "YOTI_SIGN_API_URL": harness.sandbox.signBaseURL,
                ]),
                name: "push-term")
            try await Self.waitFor("the local store") {
                try await Self.count(harness.pool, "SELECT 1 FROM idv.session_configs WHERE name = $1", [.text(name)])
                    == 1
            }
            process.send(SIGTERM)
            let result = try await process.wait()
            #expect(result.status == 143, "\(result.output)")
            #expect(
                try await Self.count(
                    harness.pool,
                    "SELECT 1 FROM idv.session_configs WHERE name = $1 AND remote_registered_at IS NOT NULL",
                    [.text(name)]) == 1)
        }
    }
}
