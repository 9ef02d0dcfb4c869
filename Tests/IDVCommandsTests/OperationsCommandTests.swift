import Foundation
import IDVRunner
import LocalPostgres
import PostgresClient
import TestSupport
import Testing
import YotiAPI

/// The operating commands as separate processes, the way cron runs them: exit codes and output.
@Suite("Operating commands (processes)", .serialized)
struct OperationsCommandTests {
    /// Runs `idv-batch <arguments>` with only `environment` of the idv/Yoti variables set.
    static func idvBatch(_ arguments: [String], environment overrides: [String: String]) async throws
        -> ChildProcess.Termination
    {
        try await IDVBatchProcess.run(arguments, environment: overrides)
    }

    static func database(_ database: MigratedDatabase) -> [String: String] {
        ["DATABASE_URL": database.configuration.unredactedConnectionString]
    }

    @Test(
        "usage errors (unknown flag, missing argument, unparsable value) exit 2 with the usage; --help exits 0",
        arguments: [
            ["run", "--bogus"], ["run", "--concurrency", "lots"], ["status", "one-batch", "another"], ["frobnicate"],
        ])
    func usageErrorsExitTwo(arguments: [String]) async throws {
        let result = try await Self.idvBatch(arguments, environment: [:])
        #expect(result.status == 2, "\(arguments): \(result.output)")
        #expect(result.output.contains("Usage:") || result.output.contains("USAGE:"), "\(result.output)")
        if arguments[0] != "frobnicate" {
            let help = try await Self.idvBatch([arguments[0], "--help"], environment: [:])
            #expect(help.status == 0, "\(help.output)")
        }
    }

    @Test(
        "enqueue: 0 when all load, the same file again adds nothing, 1 with rejected lines, 2 for a bad CSV header or format"
    )
    func enqueueExitCodes() async throws {
        try await MigratedDatabase.with { database in
            try await database.addConfiguration("standard", TestSessionSpec.valid)
            let environment = Self.database(database)
            let good = try MigratedDatabase.temporaryFile(
                "{\"external_ref\": \"a\"}\n{\"external_ref\": \"b\"}\n", suffix: ".jsonl")
            let mixed = try MigratedDatabase.temporaryFile("{\"external_ref\": \"c\"}\n[1]\n", suffix: ".ndjson")
            let noRef = try MigratedDatabase.temporaryFile("id,given_names\n1,Ada\n", suffix: ".csv")
            defer { for path in [good, mixed, noRef] { try? FileManager.default.removeItem(atPath: path) } }
            let base = ["enqueue", "--batch", "b1", "--config", "standard"]

            let first = try await Self.idvBatch(base + [good], environment: environment)
            #expect(first.status == 0, "\(first.output)")
            #expect(first.output.contains("2 rows read, 2 inserted, 0 already present, 0 rejected"))
            #expect(first.output.contains("Peak memory:"))
            let again = try await Self.idvBatch(base + [good], environment: environment)
            #expect(again.status == 0 && again.output.contains("0 inserted, 2 already present"), "\(again.output)")

            let rejected = try await Self.idvBatch(base + [mixed], environment: environment)
            #expect(rejected.status == 1, "\(rejected.output)")
            #expect(rejected.output.contains("line 2: an array, not a JSON object"))

            let header = try await Self.idvBatch(base + [noRef], environment: environment)
            #expect(header.status == 2 && header.output.contains("no external_ref column"), "\(header.output)")
            let stdin = try await Self.idvBatch(base + ["-"], environment: environment)
            #expect(stdin.status == 2 && stdin.output.contains("--format"), "\(stdin.output)")
            #expect(try await database.count("SELECT 1 FROM idv.verification_requests") == 3)
        }
    }

    @Test("enqueue reads standard input with --format")
    func enqueueStandardInput() async throws {
        try await MigratedDatabase.with { database in
            try await database.addConfiguration("standard", TestSessionSpec.valid)
            let executable = try SharedPaths.builtExecutable(named: "idv-batch")
            let csv = try MigratedDatabase.temporaryFile(
                "external_ref,given_names\n\"x,1\",\"Ada \"\"A\"\"\"\n", suffix: ".txt")
            defer { try? FileManager.default.removeItem(atPath: csv) }
            let result = try await ChildProcess.run(
                [
                    "/bin/sh", "-c", "\"$0\" enqueue --batch b --config standard --format csv - < \"$1\"",
                    executable.path, csv,
                ],
                environment: IDVBatchProcess.environment(Self.database(database)))
            #expect(result.status == 0, "\(result.output)")
            let spec = try await database.storedRows(batch: "b")["x,1"]?.spec
            #expect(spec?["resources"]?["applicant_profile"]?["given_names"] == "Ada \"A\"")
        }
    }

    @Test("rerun: an unknown batch exits 2; nothing to rerun exits 0 and says so")
    func rerunExitCodes() async throws {
        try await MigratedDatabase.with { database in
            let environment = Self.database(database)
            let unknown = try await Self.idvBatch(["rerun", "no-such-batch", "--no-run"], environment: environment)
            #expect(
                unknown.status == 2 && unknown.output.contains("Unknown batch \"no-such-batch\""), "\(unknown.output)")
            try await database.pool.execute("INSERT INTO idv.batches (batch_id) VALUES ('quiet')")
            let nothing = try await Self.idvBatch(["rerun", "quiet"], environment: environment)
            #expect(
                nothing.status == 0 && nothing.output.contains("Nothing to rerun in batch quiet"), "\(nothing.output)")
            let badClass = try await Self.idvBatch(
                ["rerun", "quiet", "--only", "transiant", "--no-run"], environment: environment)
            #expect(badClass.status == 2, "\(badClass.output)")
        }
    }

    @Test(
        "rerun re-queues the failed rows, runs them against the sandbox and links the run; a job file supplies the batch"
    )
    func rerunRuns() async throws {
        try await CommandHarness.with { harness in
            let batch = CommandHarness.batchID("cli-rerun")
            try await harness.enqueue(batch: batch, count: 6)
            try await harness.pool.execute(
                "UPDATE idv.verification_requests SET status = 'failed', error_class = 'transient', last_http_status = 503 "
                    + "WHERE batch_id = $1", [.text(batch)])
            let job = try MigratedDatabase.temporaryFile(
                "command: rerun\nrerun:\n  batch: \"\(batch)\"\n  only: [transient]\nrun:\n  concurrency: 4\n  log_level: warning\n",
                suffix: ".yml")
            defer { try? FileManager.default.removeItem(atPath: job) }
            let result = try await Self.idvBatch(
                ["rerun", "--job", job, "--api-url", harness.sandbox.idvBaseURL],
                environment: [
                    "DATABASE_URL": harness.postgres.unredactedConnectionString,
                    "YOTI_CLIENT_SDK_ID": CommandHarness.sdkID,
                    "YOTI_KEY_FILE_PATH": SharedPaths.ownerOnlyTestKey,
                ])
            #expect(result.status == 0, "\(result.output)")
            #expect(result.output.contains("Re-queued 6 failed rows"))
            #expect(try await harness.statusCounts(batch: batch) == ["created": 6])
            let linked = try await harness.pool.query(
                "SELECT r.kind, x.rows_requeued FROM idv.reruns x JOIN idv.runs r ON r.id = x.run_id WHERE x.batch_id = $1",
                [.text(batch)])
            #expect(linked.count == 1)
            #expect(
                try linked[0].decode(String.self, "kind") == "rerun" && linked[0].decode(Int.self, "rows_requeued") == 6
            )
        }
    }

    @Test(
        "expire: 0 after a sweep; 0 saying another sweep is running while the lock is held; 2 for a bad job file or time"
    )
    func expireExitCodes() async throws {
        try await MigratedDatabase.with { database in
            let environment = Self.database(database)
            try await SeededRows.created(
                database.pool, batch: "a", prefix: "x-", count: 4, expiresAt: Date(timeIntervalSince1970: 2_000_000_000)
            )
            let holder = try await PostgresConnection.connect(database.configuration)
            try await holder.query("SELECT pg_advisory_lock($1)", [.bigint(ExpirySweeper.lockKey)])
            let blocked = try await Self.idvBatch(["expire"], environment: environment)
            #expect(
                blocked.status == 0 && blocked.output.contains("Another expiry sweep is running"), "\(blocked.output)")
            await holder.close()

            let early = try await Self.idvBatch(
                ["expire", "--as-of", "2033-01-01T00:00:00Z"], environment: environment)
            #expect(early.status == 0 && early.output.contains("expired now: 0 rows"), "\(early.output)")
            let swept = try await Self.idvBatch(
                ["expire", "--as-of", "2034-01-01T00:00:00Z"], environment: environment)
            #expect(swept.status == 0 && swept.output.contains("expired now: 4 rows"), "\(swept.output)")

            let job = try MigratedDatabase.temporaryFile(
                "command: expire\nexpire:\n  chunk_size: 10\n  chunksize: 5\n", suffix: ".yml")
            defer { try? FileManager.default.removeItem(atPath: job) }
            let badJob = try await Self.idvBatch(["expire", "--job", job], environment: environment)
            #expect(
                badJob.status == 2 && badJob.output.contains("\(job):4: expire.chunksize: unknown key"),
                "\(badJob.output)")
            let wrongJob = try await Self.idvBatch(
                [
                    "expire", "--job",
                    SharedPaths.repositoryRoot.appendingPathComponent("jobs/nightly-onboarding.yml").path,
                ],
                environment: environment)
            #expect(wrongJob.status == 2 && wrongJob.output.contains("is for `idv-batch run`"), "\(wrongJob.output)")
            let badTime = try await Self.idvBatch(["expire", "--as-of", "yesterday"], environment: environment)
            #expect(badTime.status == 2, "\(badTime.output)")
            let noKey = try await Self.idvBatch(["expire", "--delete-remote"], environment: environment)
            #expect(noKey.status == 2 && noKey.output.contains("YOTI_CLIENT_SDK_ID"), "\(noKey.output)")
        }
    }

    @Test("status --json prints the documented shape; an unknown batch exits 2")
    func statusCommand() async throws {
        try await MigratedDatabase.with { database in
            try await database.addConfiguration("standard", TestSessionSpec.valid)
            let rows = try MigratedDatabase.temporaryFile("{\"external_ref\": \"a\"}", suffix: ".jsonl")
            defer { try? FileManager.default.removeItem(atPath: rows) }
            let options = Enqueuer.Options(batchID: "s1", format: .jsonLines, defaultConfig: "standard")
            _ = try await Enqueuer(database: database.pool, options: options).load(try .file(rows))
            let environment = Self.database(database)
            let json = try await Self.idvBatch(["status", "--json"], environment: environment)
            #expect(json.status == 0, "\(json.output)")
            let parsed = try JSONValue(jsonString: json.output)
            #expect(parsed["schema_version"] == 1)
            #expect(parsed["batches"]?[0]?["rows"]?["pending"] == 1)
            let table = try await Self.idvBatch(["status", "s1"], environment: environment)
            #expect(table.status == 0 && table.output.contains("Batch s1"), "\(table.output)")
            let unknown = try await Self.idvBatch(["status", "nope"], environment: environment)
            #expect(unknown.status == 2 && unknown.output.contains("Unknown batch"), "\(unknown.output)")
        }
    }

    @Test("configs push and list, locally and with --remote against the sandbox; an invalid spec exits 2")
    func configsCommands() async throws {
        try await CommandHarness.with { harness in
            let environment = Self.database(harness.database).merging(
                ["YOTI_SIGN_API_KEY": CommandHarness.signKey, "YOTI_SIGN_API_URL": harness.sandbox.signBaseURL]) { $1 }
            let sample = SharedPaths.repositoryRoot.appendingPathComponent("jobs/configs/standard-doc-liveness.json")
                .path
            let pushed = try await Self.idvBatch(
                ["configs", "push", sample, "--name", "std", "--remote"], environment: environment)
            #expect(pushed.status == 0 && pushed.output.contains("Registered with Yoti Sign"), "\(pushed.output)")
            #expect(!pushed.output.contains(CommandHarness.signKey))

            let listed = try await Self.idvBatch(["configs", "list", "--json"], environment: environment)
            #expect(listed.status == 0, "\(listed.output)")
            let configs = try JSONValue(jsonString: listed.output)["configs"]?.arrayValue ?? []
            #expect(configs.map { $0["name"] } == ["std"] && configs.first?["remote_registered_at"]?.isNull == false)
            let remote = try await Self.idvBatch(["configs", "list", "--remote"], environment: environment)
            #expect(remote.status == 0 && remote.output.contains("std"), "\(remote.output)")

            let invalid = try MigratedDatabase.temporaryFile("{\"client_session_token_ttl\": 30}", suffix: ".json")
            defer { try? FileManager.default.removeItem(atPath: invalid) }
            let refused = try await Self.idvBatch(
                ["configs", "push", invalid, "--name", "bad"], environment: environment)
            #expect(refused.status == 2 && refused.output.contains("client_session_token_ttl"), "\(refused.output)")
        }
    }
}
