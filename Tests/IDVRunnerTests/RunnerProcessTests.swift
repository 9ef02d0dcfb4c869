import Foundation
import LocalPostgres
import PostgresClient
import Testing
import YotiSandbox

@testable import IDVRunner

#if canImport(Glibc)
    import Glibc
#endif

/// `idv-batch run` as real processes (the built executable), against the in-process sandbox.
@Suite("idv-batch run (processes)", .serialized)
struct RunnerProcessTests {
    @Test("SIGKILL mid-run, then run again: every row created, every session the sandbox made is in the ledger")
    func killedThenResumed() async throws {
        try await RunnerHarness.with(behaviour: .latency(.milliseconds(40))) { harness in
            let batch = RunnerHarness.batchID("kill")
            try await harness.enqueue(batch: batch, count: 600)
            let options = ["--concurrency", "16", "--lease-seconds", "3", "--request-timeout", "1"]
            let first = try harness.startRun(batch: batch, arguments: options, name: "killed")
            try await Self.waitUntil(harness, batch: batch, createdAtLeast: 150)
            first.send(SIGKILL)
            let killed = try await first.wait()
            #expect(killed.status == 128 + SIGKILL)
            // A statement the dead worker had sent (a claim, a write-back) may still be running in its
            // server backend and commit after the kill; count only once no such backend is left.
            try await Self.waitForIdleBackends(harness)
            let inProgress = try await harness.statusCounts(batch: batch)["in_progress"] ?? 0
            #expect(inProgress > 0, "the kill should catch calls in flight")

            // The dead worker's leases run out (3 s), then the next run reclaims them.
            try await Task.sleep(for: .seconds(3.5))
            let second = try await harness.startRun(batch: batch, arguments: options, name: "resumed")
                .wait()
            #expect(second.status == 0, "\(second.output)")
            #expect(try await harness.statusCounts(batch: batch) == ["created": 600])

            let attempts = try await harness.attempts(batch: batch)
            let reclaimed = attempts.filter { $0.outcome == "lease_expired" }
            #expect(reclaimed.count == inProgress)
            #expect(reclaimed.allSatisfy { $0.possibleDuplicate && $0.finished })
            #expect(attempts.allSatisfy { $0.finished })
            try RunnerEndToEndTests.expectEverySessionAccounted(harness.sandboxSessions(), attempts: attempts)
            // Every row holds a session the sandbox really created.
            let remote = Set(harness.sandboxSessions().map(\.id))
            for row in try await harness.rows(batch: batch) { #expect(row.sessionID.map(remote.contains) == true) }
        }
    }

    @Test("four concurrent run processes on one batch: every row created exactly once, zero duplicates")
    func fourWorkersNoDuplicates() async throws {
        try await RunnerHarness.with(behaviour: .latency(.milliseconds(20), jitter: .milliseconds(20))) { harness in
            let batch = RunnerHarness.batchID("four")
            try await harness.enqueue(batch: batch, count: 1_200)
            let workers = try (0..<4).map { index in
                try harness.startRun(batch: batch, arguments: ["--concurrency", "16"], name: "worker\(index)")
            }
            var results: [SpawnedProcess.Termination] = []
            for worker in workers { results.append(try await worker.wait()) }
            for result in results { #expect(result.status == 0, "\(result.output)") }

            #expect(try await harness.statusCounts(batch: batch) == ["created": 1_200])
            let stats = harness.sandbox.stats()
            #expect(stats.sessionsCreated == 1_200)
            #expect(stats.duplicateSessions == 0)
            let attempts = try await harness.attempts(batch: batch)
            #expect(attempts.count == 1_200 && attempts.allSatisfy { $0.writeBack == "applied" })
            // Work was really shared: more than one worker created sessions.
            let runs = try await harness.pool.query(
                "SELECT count(*) AS n FROM idv.runs WHERE rows_created > 0 AND $1 = ANY (batch_ids)", [.text(batch)])
            #expect(try runs[0].decode(Int.self, "n") > 1)
        }
    }

    @Test("four processes with --rate 25: the sandbox's busiest second stays within the limit plus a small burst")
    func sharedRateAcrossProcesses() async throws {
        try await RunnerHarness.with { harness in
            let batch = RunnerHarness.batchID("rate4")
            try await harness.enqueue(batch: batch, count: 150)
            let workers = try (0..<4).map { index in
                try harness.startRun(
                    batch: batch, arguments: ["--concurrency", "16", "--rate", "25"], name: "rate\(index)")
            }
            for worker in workers {
                let result = try await worker.wait()
                #expect(result.status == 0, "\(result.output)")
            }
            #expect(try await harness.statusCounts(batch: batch) == ["created": 150])
            let stats = harness.sandbox.stats()
            print("--rate 25 over 4 processes: busiest second at the sandbox \(stats.createRequestsPerSecondMax)")
            // A small burst is allowed: the sandbox timestamps arrivals on the same busy CPUs, so a stall of
            // its event loop bunches arrivals. Without the shared limit four workers would send ~4 × 25/s.
            #expect(stats.createRequestsPerSecondMax <= 31)
            #expect(stats.rateLimited == 0)
        }
    }

    @Test("SIGTERM: calls in flight finish, the rest is released; exit 143 and no row left in progress")
    func sigtermDrains() async throws {
        try await RunnerHarness.with(behaviour: .latency(.milliseconds(100))) { harness in
            let batch = RunnerHarness.batchID("term")
            try await harness.enqueue(batch: batch, count: 2_000)
            let process = try harness.startRun(batch: batch, arguments: ["--concurrency", "16"], name: "term")
            try await Self.waitUntil(harness, batch: batch, createdAtLeast: 100)
            process.send(SIGTERM)
            let result = try await process.wait()
            #expect(result.status == 143, "\(result.output)")
            #expect(result.output.contains("interrupted"))

            let counts = try await harness.statusCounts(batch: batch)
            #expect(counts["in_progress"] == nil)
            #expect((counts["created"] ?? 0) + (counts["pending"] ?? 0) == 2_000)
            #expect((counts["pending"] ?? 0) > 0)
            let attempts = try await harness.attempts(batch: batch)
            #expect(attempts.allSatisfy { $0.finished })
            #expect(!attempts.contains { $0.possibleDuplicate })
            // Nothing paid for is unaccounted: every session the sandbox made is a created row.
            #expect(harness.sandbox.stats().sessionsCreated == counts["created"] ?? 0)
        }
    }

    @Test("a second SIGTERM cancels stalled calls: exit 143, their rows back to pending flagged possible duplicate")
    func secondSignalCancels() async throws {
        let stalling = SandboxBehaviour(faults: .init(stall: 1), stallDuration: .seconds(60))
        try await RunnerHarness.with(behaviour: stalling) { harness in
            let batch = RunnerHarness.batchID("term2")
            try await harness.enqueue(batch: batch, count: 50)
            let process = try harness.startRun(
                batch: batch,
                arguments: ["--concurrency", "4", "--grace-period", "60", "--request-timeout", "50"], name: "term2")
            let deadline = ContinuousClock.now + .seconds(60)
            while harness.sandbox.stats().concurrentRequests < 4 && ContinuousClock.now < deadline {
                try await Task.sleep(for: .milliseconds(20))
            }
            process.send(SIGTERM)
            try await Task.sleep(for: .milliseconds(500))
            process.send(SIGTERM)
            let result = try await process.wait()
            #expect(result.status == 143, "\(result.output)")

            let rows = try await harness.rows(batch: batch)
            #expect(rows.allSatisfy { $0.status == "pending" })
            let interrupted = try await harness.attempts(batch: batch).filter { $0.outcome == "interrupted" }
            #expect(interrupted.count == 4)
            let flagged = Set(rows.filter(\.possibleDuplicate).map(\.id))
            #expect(flagged == Set(interrupted.map(\.requestID)))
            #expect(try await harness.attempts(batch: batch).allSatisfy { $0.finished })
        }
    }

    @Test("--job: a run takes its settings from the job file, and flags on the command line override them")
    func jobFileSettings() async throws {
        try await RunnerHarness.with { harness in
            let batch = RunnerHarness.batchID("job")
            try await harness.enqueue(batch: batch, count: 12)
            let job = FileManager.default.temporaryDirectory.appendingPathComponent("run-\(UUID().uuidString).yml")
            try "version: 1\ncommand: run\nrun:\n  concurrency: 2\n  max_sessions: 5\n"
                .write(to: job, atomically: true, encoding: .utf8)
            defer { try? FileManager.default.removeItem(at: job) }

            let budgeted = try await harness.startRun(
                batch: batch, arguments: ["--job", job.path], name: "job"
            )
            .wait()
            #expect(
                budgeted.status == 4,
                "max_sessions 5 from the job file stops the run with work left: \(budgeted.output)")
            #expect(try await harness.statusCounts(batch: batch) == ["created": 5, "pending": 7])

            let overridden = try await harness.startRun(
                batch: batch, arguments: ["--job", job.path, "--max-sessions", "100"], name: "job2"
            ).wait()
            #expect(overridden.status == 0, "\(overridden.output)")
            #expect(try await harness.statusCounts(batch: batch) == ["created": 12])

            let wrongKind = FileManager.default.temporaryDirectory.appendingPathComponent(
                "sweep-\(UUID().uuidString).yml")
            try "version: 1\ncommand: expire\n".write(to: wrongKind, atomically: true, encoding: .utf8)
            defer { try? FileManager.default.removeItem(at: wrongKind) }
            let refused = try await harness.startRun(
                batch: batch, arguments: ["--job", wrongKind.path], name: "job3"
            )
            .wait()
            #expect(refused.status == 2, "a job file for another command is a usage error: \(refused.output)")
        }
    }

    // Throughput, CPU per session and statement counts are figures of `idv-batch bench`, not of tests.
    @Test(
        "2,000 rows at --concurrency 64: all created once, results written back by group commit (results share statements)"
    )
    func batchedWriteBack() async throws {
        try await RunnerHarness.with(behaviour: .latency(.milliseconds(20)), concurrency: 64) { harness in
            let batch = RunnerHarness.batchID("batched")
            try await harness.enqueue(batch: batch, count: 2_000)
            let result = try await harness.startRun(
                batch: batch, arguments: ["--concurrency", "64"], name: "batched"
            )
            .wait()
            #expect(result.status == 0, "\(result.output)")
            #expect(try await harness.statusCounts(batch: batch) == ["created": 2_000])
            #expect(harness.sandbox.stats().duplicateSessions == 0)
            let details = try await Self.runDetails(harness, batch: batch)
            // Group commit writes as soon as the statement before has finished, with whatever arrived meanwhile:
            // how many results share a statement depends on how fast the database is against the calls (bench
            // figure 4a), but a statement never holds fewer than one, and at 20 ms calls and C = 64 some share.
            #expect(
                details.writeBacks > 0 && details.writeBacks < 2_000, "write-back statements: \(details.writeBacks)")
            #expect(details.claims > 0 && details.claims <= 1_000, "claim statements: \(details.claims)")
        }
    }

    static func waitUntil(_ harness: RunnerHarness, batch: String, createdAtLeast target: Int) async throws {
        let deadline = ContinuousClock.now + .seconds(120)
        while ContinuousClock.now < deadline {
            if try await harness.statusCounts(batch: batch)["created"] ?? 0 >= target { return }
            try await Task.sleep(for: .milliseconds(20))
        }
        Issue.record("the run never created \(target) sessions")
    }

    /// Waits until no other backend of the test database is running a statement (twice in a row).
    static func waitForIdleBackends(_ harness: RunnerHarness) async throws {
        let deadline = ContinuousClock.now + .seconds(30)
        var quietPolls = 0
        while ContinuousClock.now < deadline {
            let busy = try await harness.pool.query(
                """
                SELECT count(*) AS n FROM pg_stat_activity
                WHERE datname = current_database() AND backend_type = 'client backend' AND pid <> pg_backend_pid()
                  AND state IS DISTINCT FROM 'idle'
                """)[0].decode(Int.self, "n")
            quietPolls = busy == 0 ? quietPolls + 1 : 0
            if quietPolls >= 2 { return }
            try await Task.sleep(for: .milliseconds(50))
        }
        Issue.record("a backend of the killed worker was still busy after 30 s")
    }

    static func runDetails(_ harness: RunnerHarness, batch: String) async throws -> (claims: Double, writeBacks: Double)
    {
        let rows = try await harness.pool.query(
            """
            SELECT (details->>'claim_round_trips')::float8 AS claims,
                   (details->>'write_back_round_trips')::float8 AS write_backs
            FROM idv.runs WHERE $1 = ANY (batch_ids) ORDER BY id DESC LIMIT 1
            """, [.text(batch)])
        return (try rows[0].decode(Double.self, "claims"), try rows[0].decode(Double.self, "write_backs"))
    }
}
