import Foundation
import Logging
import PostgresClient
import Testing
import YotiSandbox

@testable import IDVRunner

#if canImport(Glibc)
    import Glibc
#endif

/// Rescue in seconds: a dead worker's rows come back as soon as PostgreSQL sees its presence lock go,
/// while a live (however slow) worker keeps its rows, and a run never says "completed" while rows of its
/// selection are still in progress.
@Suite("Worker liveness (presence locks)", .serialized)
struct WorkerLivenessTests {
    @Test("3 × kill -9 mid-run, then an immediate run: every row created, no waiting for the 120 s leases")
    func killedWorkersAreRescuedAtOnce() async throws {
        // Slow calls, so every kill lands with calls in flight and rows leased.
        let behaviour = SandboxBehaviour(latency: .milliseconds(150), jitter: .milliseconds(50), seed: 12)
        try await RunnerHarness.with(behaviour: behaviour) { harness in
            let batch = RunnerHarness.batchID("kill9")
            let rows = 600
            try await harness.enqueue(batch: batch, count: rows)
            var leasedAtKill: [Int] = []
            for kill in 1...3 {
                // Default lease (120 s): only the presence lock can bring these rows back quickly.
                let worker = try harness.startRun(
                    batch: batch, arguments: ["--concurrency", "16"], name: "kill\(kill)")
                // Wait until it is creating sessions, then kill it mid-call.
                let deadline = ContinuousClock.now + .seconds(60)
                while try await harness.statusCounts(batch: batch)["in_progress", default: 0] == 0,
                    ContinuousClock.now < deadline
                {
                    try await Task.sleep(for: .milliseconds(50))
                }
                try await Task.sleep(for: .milliseconds(300))
                worker.send(SIGKILL)
                let result = try await worker.wait()
                #expect(result.status == 128 + SIGKILL)
                leasedAtKill.append(try await harness.statusCounts(batch: batch)["in_progress", default: 0])
            }
            #expect(leasedAtKill.allSatisfy { $0 > 0 }, "each kill should leave leased rows behind: \(leasedAtKill)")

            // Every leased row names its (registered) worker, and none of those workers is alive any more.
            let orphans = try await harness.pool.query(
                """
                SELECT count(*) AS leased,
                       count(*) FILTER (WHERE lease_worker IS NULL) AS unregistered,
                       count(*) FILTER (WHERE lease_worker IN (SELECT worker_id FROM idv.live_workers)) AS alive,
                       EXTRACT(EPOCH FROM min(lease_expires_at) - now())::float8 AS expiry_in
                FROM idv.verification_requests WHERE batch_id = $1 AND status = 'in_progress'
                """, [.text(batch)])[0]
            #expect(
                try orphans.decode(Int.self, "unregistered") == 0, "every killed worker had registered its presence")
            #expect(try orphans.decode(Int.self, "alive") == 0, "PostgreSQL dropped the killed workers' presence locks")
            let expiryIn = try orphans.decode(Double?.self, "expiry_in") ?? 0
            #expect(expiryIn > 60, "the leases still have most of their 120 s to run")

            // At once: the leases have ~2 minutes to run, so only liveness can explain a rescue now.
            let runStartedAt = try await harness.pool.query("SELECT now() AS now")[0].decode(Date.self, "now")
            var configuration = harness.configuration(batch: batch)
            configuration.leaseDuration = .seconds(120)
            let started = ContinuousClock.now
            let summary = try await harness.run(configuration)
            let took = ContinuousClock.now - started
            #expect(summary.stopReason == .completed && summary.exitCode == 0)
            #expect(try await harness.statusCounts(batch: batch) == ["created": rows])
            #expect(summary.leasesReclaimed >= leasedAtKill.last ?? 1)
            // When the dead workers' attempts were closed, relative to the start of the run: the rescue latency.
            let rescue = try await harness.pool.query(
                """
                SELECT EXTRACT(EPOCH FROM max(finished_at) - $2::timestamptz)::float8 AS latest
                FROM idv.attempts WHERE batch_id = $1 AND outcome = 'lease_expired'
                """, [.text(batch), .timestamp(runStartedAt)])[0]
            let rescueLatency = try rescue.decode(Double?.self, "latest") ?? .infinity
            #expect(
                rescueLatency < min(30, expiryIn), "dead workers' rows must come back without waiting for lease expiry")
            let expired = try await harness.attempts(batch: batch).filter { $0.outcome == "lease_expired" }
            #expect(!expired.isEmpty && expired.allSatisfy { $0.possibleDuplicate && $0.writeBack == "lease_lost" })
            print(
                "worker liveness: rows leased at each kill \(leasedAtKill); the next run rescued "
                    + "\(summary.leasesReclaimed) rows \(String(format: "%.2f", rescueLatency)) s after it started "
                    + "(leases had \(Int(expiryIn)) s left) and finished in \(took)")
        }
    }

    @Test("a live worker's rows are never taken, and the run waits for them instead of reporting completed")
    func liveWorkerKeepsItsRows() async throws {
        try await RunnerHarness.with { harness in
            let batch = RunnerHarness.batchID("alive")
            try await harness.enqueue(batch: batch, count: 20)
            // A slow worker: registered and alive, holding 5 rows it has not written back yet.
            let slow = try await WorkerPresence.register(
                configuration: harness.postgres, name: "slow-worker", operation: .createSession,
                logger: Logger(label: "test"))
            let held = try await CreateStepFixtures.claimer(
                harness.pool, batches: [batch], worker: "slow-worker", workerID: slow.id
            )
            .claim(limit: 5)
            #expect(held.count == 5)

            var configuration = harness.configuration(batch: batch)
            // Long enough for the 15 free rows on a saturated machine; the run then waits for the held 5.
            configuration.deadline = Date().addingTimeInterval(10)
            let waiting = try await harness.run(configuration)
            #expect(waiting.leasesReclaimed == 0)
            #expect(waiting.stopReason == .deadlineReached && waiting.exitCode == 4, "\(waiting.stopReason)")
            #expect(try await harness.statusCounts(batch: batch) == ["created": 15, "in_progress": 5])
            let tokens = try await harness.pool.query(
                "SELECT lease_token FROM idv.verification_requests WHERE batch_id = $1 AND status = 'in_progress' ORDER BY id",
                [.text(batch)]
            ).map { try $0.decode(Int64.self, "lease_token") }
            #expect(tokens == held.map(\.leaseToken), "the live worker's leases are untouched")

            // The worker dies: its rows come back on the next run at once.
            await slow.release()
            let rescued = try await harness.run(harness.configuration(batch: batch))
            #expect(rescued.leasesReclaimed == 5 && rescued.exitCode == 0)
            #expect(try await harness.statusCounts(batch: batch) == ["created": 20])
        }
    }

    @Test("a live worker that finishes its rows lets a waiting run complete with exit 0")
    func waitingRunCompletesWhenTheWorkerFinishes() async throws {
        try await RunnerHarness.with { harness in
            let batch = RunnerHarness.batchID("waits")
            try await harness.enqueue(batch: batch, count: 4)
            let slow = try await WorkerPresence.register(
                configuration: harness.postgres, name: "slow-worker", operation: .createSession,
                logger: Logger(label: "test"))
            let held = try await CreateStepFixtures.claimer(
                harness.pool, batches: [batch], worker: "slow-worker", workerID: slow.id
            )
            .claim(limit: 2)
            // The slow worker writes back after 2 s, while the run below waits for it.
            let finisher = Task {
                try await Task.sleep(for: .seconds(2))
                let buffer = CreateStepFixtures.buffer(harness.pool)
                for claim in held {
                    let session = CreateStepFixtures.session(id: "slow-\(claim.id)", token: "t")
                    await buffer.append(
                        CreateStepFixtures.writeBack(CreateStepFixtures.created(session), for: claim).entry)
                }
                try await buffer.drain()
            }
            let started = ContinuousClock.now
            let summary = try await harness.run(harness.configuration(batch: batch))
            try await finisher.value
            #expect(summary.stopReason == .completed && summary.exitCode == 0 && summary.workLeft == 0)
            #expect(ContinuousClock.now - started >= .seconds(2), "the run must wait for the live worker's rows")
            #expect(try await harness.statusCounts(batch: batch) == ["created": 4])
            await slow.release()
        }
    }
}
