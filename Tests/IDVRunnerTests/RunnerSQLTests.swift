import Foundation
import Logging
import PostgresClient
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

    @Test("150 results cost 3 write-back statements (64 + 64 + 22) and all apply")
    func writeBackBatches() async throws {
        try await RunnerHarness.with { harness in
            let batch = RunnerHarness.batchID("batching")
            try await harness.enqueue(batch: batch, count: 150)
            let claimed = try await Self.claimer(harness, batch: batch).claim(limit: 150)
            #expect(claimed.count == 150)
            let buffer = CreateStepFixtures.buffer(harness.pool, batchSize: 64)
            for row in claimed {
                let session = CreateStepFixtures.session(id: "s-\(row.id)", token: "t-\(row.id)")
                await buffer.append(CreateStepFixtures.writeBack(CreateStepFixtures.created(session), for: row).entry)
            }
            #expect(await buffer.currentStatistics.flushes == 2)
            #expect(await buffer.waiting == 22)
            try await buffer.drain()
            let statistics = await buffer.currentStatistics
            #expect(statistics.flushes == 3 && statistics.entriesApplied == 150 && statistics.entriesLeaseLost == 0)
            let rows = try await harness.rows(batch: batch)
            #expect(
                rows.allSatisfy {
                    $0.status == "created" && $0.sessionID == "s-\($0.id)" && $0.clientSessionToken == "t-\($0.id)"
                })
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
