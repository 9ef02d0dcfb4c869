import Foundation
import Logging
import PostgresClient
import Synchronization
import TestSupport
import Testing
import YotiSandbox

@testable import IDVRunner

/// The runner's statements against a real PostgreSQL, without HTTP: claim, ledger, batching, GCRA.
@Suite("Runner SQL (claim, ledger, write-back batching, shared rate limit)")
struct RunnerSQLTests {
    @Test(
        "the claim can pick rows through an index over pending rows: all batches, one, several (migration 0004, folded CASE)",
        arguments: [[String](), ["plan-a"], ["plan-a", "plan-b"]])
    func claimPlanUsesPendingIndexes(batches: [String]) async throws {
        try await RunnerHarness.with { harness in
            for batch in ["plan-a", "plan-b"] { try await harness.enqueue(batch: batch, count: 50) }
            // Real statistics: without them the planner guesses row counts from the (wide, since 0007) row type.
            _ = try await harness.pool.query("ANALYZE idv.verification_requests", [])
            let probe = ClaimProbe(database: harness.pool, batches: batches, workerID: "test:plan")
            let plan = try await harness.pool.withTransaction { connection in
                // A tiny table is cheapest to scan: forbid that, so the plan shows which index the query can use.
                _ = try await connection.execute("SET LOCAL enable_seqscan = off")
                // With real statistics on 100 rows, sorting them all is cheapest too: forbid that (and the bitmap
                // scan that feeds it), so the plan shows whether an index can give the rows in claim order.
                _ = try await connection.execute("SET LOCAL enable_sort = off")
                _ = try await connection.execute("SET LOCAL enable_bitmapscan = off")
                return try await connection.query(
                    "EXPLAIN (COSTS OFF) " + ClaimProbe.statement, probe.parameters(limit: 64)
                )
                .map { try $0.decode(String.self, at: 0) }.joined(separator: "\n")
            }
            let picking = plan.components(separatedBy: "CTE claimed")[0]
            // All or several batches: only the `(id)` pending index gives rows in claim order. One batch: its
            // `(batch_id, id)` index does too, and with real statistics on two equal batches the planner may walk
            // either; both read pending rows in id order up to the LIMIT.
            let expected =
                batches.count == 1
                ? ["verification_requests_pending_batch_idx", "verification_requests_pending_id_idx"]
                : ["verification_requests_pending_id_idx"]
            #expect(expected.contains { picking.contains("Index Scan using \($0)") }, "\(plan)")
            #expect(!picking.contains("Seq Scan on verification_requests"), "\(plan)")
        }
        // And the rows it claims are the selection's, in id order.
        try await RunnerHarness.with { harness in
            for batch in ["plan-a", "plan-b", "plan-c"] { try await harness.enqueue(batch: batch, count: 3) }
            let claimed = try await ClaimProbe(database: harness.pool, batches: batches, workerID: "test:plan").claim(
                limit: 100)
            #expect(claimed == (batches.isEmpty ? 9 : 3 * batches.count))
        }
    }

    static func claimer(_ harness: RunnerHarness, batch: String, worker: String = "w") -> StepClaimer<CreateSessionStep>
    {
        CreateStepFixtures.claimer(harness.pool, batches: [batch], worker: worker)
    }

    /// Enqueues `count` rows into a new batch named after `name` and claims them all.
    static func claimedRows(_ harness: RunnerHarness, _ name: String, count: Int) async throws
        -> (batch: String, rows: [Claim<CreateSessionStep.Work>])
    {
        let batch = RunnerHarness.batchID(name)
        try await harness.enqueue(batch: batch, count: count)
        let claimed = try await claimer(harness, batch: batch).claim(limit: count)
        #expect(claimed.count == count)
        return (batch, claimed)
    }

    /// The write-back of a created session (`s-<id>`, token `t-<id>`) for a claimed row.
    static func createdEntry(for row: Claim<CreateSessionStep.Work>) -> WriteBack<CreateSessionStep.Row> {
        let session = CreateStepFixtures.session(id: "s-\(row.id)", token: "t-\(row.id)")
        return CreateStepFixtures.writeBack(CreateStepFixtures.created(session), for: row).entry
    }

    @Test("a claim takes only due pending rows, at most the limit, and opens a ledger attempt for each before any call")
    func claimOpensLedger() async throws {
        try await RunnerHarness.with { harness in
            let batch = RunnerHarness.batchID("claim")
            try await harness.enqueue(batch: batch, count: 10)
            _ = try await harness.pool.query(
                "UPDATE idv.verification_requests SET next_attempt_at = now() + interval '1 hour' WHERE external_ref IN ('ref-1', 'ref-2')",
                [])
            let claimed = try await Self.claimer(harness, batch: batch).claim(limit: 5)
            #expect(claimed.map(\.work.externalRef) == ["ref-3", "ref-4", "ref-5", "ref-6", "ref-7"])
            #expect(Set(claimed.map(\.leaseToken)).count == 5)
            #expect(claimed.allSatisfy { $0.attemptNumber == 1 && $0.attempts == 0 })

            let ledger = try await harness.attempts(batch: batch)
            #expect(ledger.count == 5)
            #expect(ledger.allSatisfy { !$0.finished && $0.writeBack == "pending" && $0.outcome == nil })
            #expect(Set(ledger.compactMap(\.userTrackingID)) == Set(claimed.map(\.work.externalRef)))
            #expect(try await harness.statusCounts(batch: batch) == ["in_progress": 5, "pending": 5])
        }
    }

    @Test("concurrent claimers never take the same row (SKIP LOCKED)")
    func concurrentClaimsAreDisjoint() async throws {
        try await RunnerHarness.with { harness in
            let batch = RunnerHarness.batchID("disjoint")
            try await harness.enqueue(batch: batch, count: 400)
            let claimed = try await withThrowingTaskGroup(of: [Int64].self) { group in
                for worker in 0..<6 {
                    group.addTask {
                        var mine: [Int64] = []
                        let claimer = Self.claimer(harness, batch: batch, worker: "w\(worker)")
                        while true {
                            let rows = try await claimer.claim(limit: 7)
                            if rows.isEmpty { return mine }
                            mine += rows.map(\.id)
                        }
                    }
                }
                return try await group.reduce(into: [Int64]()) { $0 += $1 }
            }
            #expect(claimed.count == 400)
            #expect(Set(claimed).count == 400)
        }
    }

    @Test("append never waits for the database below the high-water mark; past it, one statement stores them all")
    func writeBackHighWater() async throws {
        try await RunnerHarness.with { harness in
            let (batch, claimed) = try await Self.claimedRows(harness, "batching", count: 150)
            // No flush loop runs here, so only `append` (at the high-water mark) or `drain` can flush.
            let buffer = CreateStepFixtures.buffer(harness.pool, highWater: 128)
            #expect(await buffer.highWater == 128)
            for (index, row) in claimed.enumerated() {
                await buffer.append(Self.createdEntry(for: row))
                if index == 126 {
                    #expect(await buffer.currentStatistics.flushes == 0)
                    #expect(await buffer.waiting == 127)
                }
            }
            #expect(await buffer.currentStatistics.flushes == 1)
            #expect(await buffer.waiting == 22)
            try await buffer.drain()
            let statistics = await buffer.currentStatistics
            #expect(statistics.flushes == 2 && statistics.entriesApplied == 150 && statistics.entriesLeaseLost == 0)
            let rows = try await harness.rows(batch: batch)
            #expect(
                rows.allSatisfy {
                    $0.status == "created" && $0.sessionID == "s-\($0.id)" && $0.clientSessionToken == "t-\($0.id)"
                })
        }
    }

    @Test("group commit: one result alone is stored at once; results arriving during a statement go in the next one")
    func flushLoopGroupCommit() async throws {
        try await RunnerHarness.with { harness in
            let (batch, claimed) = try await Self.claimedRows(harness, "group", count: 11)
            // The real server, each statement held 300 ms, so the second group surely forms during the first.
            let slow = SlowDatabase(base: harness.pool, delay: .milliseconds(300))
            let buffer = CreateStepFixtures.buffer(slow)
            let loop = Task { await buffer.runFlushLoop() }
            defer { loop.cancel() }
            // One result, far below any batch size and with no timer anywhere: the loop stores it alone.
            await buffer.append(Self.createdEntry(for: claimed[0]))
            let deadline = ContinuousClock.now + .seconds(20)
            while slow.started == 0, ContinuousClock.now < deadline { try await Task.sleep(for: .milliseconds(2)) }
            #expect(slow.started == 1)
            #expect(await buffer.waiting == 0, "the statement under way took the only result")
            // Ten more arrive while that statement runs: they wait, then go together in the next statement.
            for row in claimed.dropFirst() { await buffer.append(Self.createdEntry(for: row)) }
            #expect(slow.started == 1, "no second statement may start while the first runs")
            while await buffer.currentStatistics.entriesApplied < 11, ContinuousClock.now < deadline {
                try await Task.sleep(for: .milliseconds(10))
            }
            let statistics = await buffer.currentStatistics
            #expect(statistics.flushes == 2 && statistics.entriesApplied == 11, "\(statistics)")
            #expect(slow.started == 2)
            #expect(try await harness.rows(batch: batch).allSatisfy { $0.status == "created" })
        }
    }

    @Test("a failed write-back is retried by the loop on its own, with no new result to wake it")
    func flushLoopRetriesFailure() async throws {
        try await RunnerHarness.with { harness in
            let (batch, claimed) = try await Self.claimedRows(harness, "retry", count: 3)
            let flaky = SlowDatabase(base: harness.pool, delay: .zero, failures: 2)
            let buffer = CreateStepFixtures.buffer(flaky)
            let loop = Task { await buffer.runFlushLoop() }
            defer { loop.cancel() }
            for row in claimed { await buffer.append(Self.createdEntry(for: row)) }
            let deadline = ContinuousClock.now + .seconds(20)
            while await buffer.currentStatistics.entriesApplied < 3, ContinuousClock.now < deadline {
                try await Task.sleep(for: .milliseconds(10))
            }
            #expect(flaky.started >= 3, "two failed statements, then the one that stored them")
            #expect(await buffer.currentStatistics.entriesApplied == 3)
            #expect(try await harness.rows(batch: batch).allSatisfy { $0.status == "created" })
        }
    }

    @Test("drain waits for a flush already running: when it returns, every result is stored")
    func drainWaitsForRunningFlush() async throws {
        try await RunnerHarness.with { harness in
            let (batch, claimed) = try await Self.claimedRows(harness, "drain", count: 20)
            // The real server, reached through a wrapper that holds each statement 300 ms before sending it.
            let slow = SlowDatabase(base: harness.pool, delay: .milliseconds(300))
            let buffer = CreateStepFixtures.buffer(slow)
            for row in claimed { await buffer.append(Self.createdEntry(for: row)) }
            let running = Task { await buffer.flushOnce() }
            while slow.started == 0 { try await Task.sleep(for: .milliseconds(5)) }
            // The running flush took every entry: none waits, yet none is stored.
            #expect(await buffer.waiting == 0)
            try await buffer.drain()
            #expect(try await harness.rows(batch: batch).allSatisfy { $0.status == "created" })
            #expect(await running.value)
            #expect(await buffer.currentStatistics.entriesApplied == 20)
        }
    }

    @Test("the shared limiter's SQL follows the GCRA maths: each reservation starts where the last one ended")
    func gcraReservationsInSQL() async throws {
        try await RunnerHarness.with { harness in
            let batch = RunnerHarness.batchID("gcra")
            // rate 0.1, k = 1: tat moves 10 s per reservation, far more than any round trip, so no idle gap.
            var starts: [Double] = []
            for _ in 0..<4 {
                let rows = try await harness.pool.query(
                    SharedRateLimiter.reserveSQL, [.text(batch), .double(0.1), .int(1)])
                starts.append(try rows[0].decode(Double.self, "start_epoch"))
            }
            let gaps = zip(starts.dropFirst(), starts).map { $0 - $1 }
            #expect(gaps.allSatisfy { abs($0 - 10) < 1e-6 }, "\(gaps)")
            let state = try await harness.pool.query(
                "SELECT rate, EXTRACT(EPOCH FROM tat)::float8 AS tat FROM idv.rate_limits WHERE batch_id = $1",
                [.text(batch)])
            #expect(try state[0].decode(Double.self, "rate") == 0.1)
            #expect(abs(try state[0].decode(Double.self, "tat") - (starts[3] + 10)) < 1e-6)

            // A 429 pushes the batch's next slot past the pause, for every worker.
            let paused = batch + "-paused"
            let limiter = SharedRateLimiter(
                database: harness.pool, rate: 2, clock: .system, logger: Logger(label: "test"))
            // Measured from before the 429 was recorded, so a slow machine cannot eat into the pause.
            let before = Date()
            await limiter.penalize(batch: paused, retryAfter: .seconds(5))
            let other = SharedRateLimiter(
                database: harness.pool, rate: 2, clock: .system, logger: Logger(label: "test"))
            let next = try await other.nextSendTime(batch: paused)
            #expect(next.timeIntervalSince(before) > 4.5, "\(next.timeIntervalSince(before))")
        }
    }
}

/// The real pool, each statement held back by `delay` before it is sent (to catch work that overlaps a flush).
private final class SlowDatabase: RunnerDatabase {
    let base: any RunnerDatabase
    let delay: Duration
    private let startedCount = Mutex(0)
    private let failures: Int

    /// - Parameter failures: the first this many statements fail (as a dropped connection would).
    init(base: any RunnerDatabase, delay: Duration, failures: Int = 0) {
        self.base = base
        self.delay = delay
        self.failures = failures
    }

    /// Statements begun so far.
    var started: Int { startedCount.withLock { $0 } }

    func query(_ sql: String, _ parameters: [PostgresValue]) async throws -> PostgresRows {
        let number = startedCount.withLock {
            $0 += 1
            return $0
        }
        if number <= failures { throw SlowDatabaseFailure() }
        try await Task.sleep(for: delay)
        return try await base.query(sql, parameters)
    }
}

/// The failure ``SlowDatabase`` injects.
private struct SlowDatabaseFailure: Error {}
