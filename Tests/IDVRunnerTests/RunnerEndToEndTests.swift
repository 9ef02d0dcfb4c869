import Foundation
import PostgresClient
import TestSupport
import Testing
import YotiAPI
import YotiSandbox

@testable import IDVRunner

/// The runner in process against a real PostgreSQL and the sandbox on loopback.
@Suite("Runner end to end (PostgreSQL + sandbox)", .serialized)
struct RunnerEndToEndTests {
    @Test("a clean batch of 2,000 rows: all created once, tokens and expiry as issued, one applied attempt each")
    func cleanBatch() async throws {
        try await RunnerHarness.with(concurrency: 64) { harness in
            let batch = RunnerHarness.batchID("clean")
            try await harness.enqueue(batch: batch, count: 2_000)
            let summary = try await harness.run(harness.configuration(batch: batch, concurrency: 64))

            #expect(summary.exitCode == 0)
            #expect(summary.stopReason == .completed)
            #expect(summary.sessionsCreated == 2_000)
            #expect(try await harness.statusCounts(batch: batch) == ["created": 2_000])

            let stats = harness.sandbox.stats()
            #expect(stats.sessionsCreated == 2_000)
            #expect(stats.duplicateSessions == 0)
            // Every call was signed while its row waited for a slot; the sandbox verified every signature.
            #expect(harness.recorder.presignedCallCount == harness.recorder.callCount)
            #expect(stats.signaturesRejected == 0)

            let issued = harness.recorder.createdSessions
            let sandboxSessions = Dictionary(uniqueKeysWithValues: harness.sandboxSessions().map { ($0.id, $0) })
            for row in try await harness.rows(batch: batch) {
                let sessionID = try #require(row.sessionID)
                let facts = try #require(issued[sessionID], "row \(row.id) holds a session the client never received")
                #expect(row.clientSessionToken == facts.response.clientSessionToken)
                let expiry = try #require(row.tokenExpiresAt)
                let expected = facts.sentAt.addingTimeInterval(TimeInterval(facts.response.clientSessionTokenTTL))
                #expect(abs(expiry.timeIntervalSince(expected)) < 1)
                let remote = try #require(sandboxSessions[sessionID])
                #expect(remote.userTrackingID == row.externalRef)
                // Never later than the truth: our expiry is at or before the sandbox's (within clock noise).
                #expect(expiry.timeIntervalSince(remote.tokenExpiresAt) < 1)
                #expect(row.attempts == 1 && !row.possibleDuplicate && row.errorClass == nil)
            }

            let attempts = try await harness.attempts(batch: batch)
            #expect(attempts.count == 2_000)
            #expect(attempts.allSatisfy { $0.writeBack == "applied" && $0.outcome == "created" && $0.finished })
            #expect(Set(attempts.map(\.requestID)).count == 2_000)

            let perSession = Double(summary.writeBackRoundTrips) / Double(summary.sessionsCreated)
            let claimsPerSession = Double(summary.claimRoundTrips) / Double(summary.sessionsCreated)
            print(
                "clean batch: \(summary.sessionsCreated) sessions in \(summary.duration), "
                    + String(
                        format: "%.0f sessions/s, %.4f write-back and %.4f claim round trips per session",
                        summary.throughput, perSession, claimsPerSession))
        }
    }

    @Test("500 and 503 are retried with backoff until created; the ledger keeps every try")
    func transientFaultsRetried() async throws {
        let faults = SandboxBehaviour.FaultRates(internalServerError: 0.2, serviceUnavailable: 0.2)
        try await RunnerHarness.with(behaviour: .faulty(faults, seed: 7)) { harness in
            let batch = RunnerHarness.batchID("transient")
            try await harness.enqueue(batch: batch, count: 200)
            var configuration = harness.configuration(batch: batch)
            configuration.maxAttempts = 20
            let summary = try await harness.run(configuration)

            #expect(summary.exitCode == 0)
            #expect(try await harness.statusCounts(batch: batch) == ["created": 200])
            #expect(summary.retriesScheduled > 0)
            let attempts = try await harness.attempts(batch: batch)
            let transient = attempts.filter { $0.outcome == "transient" }
            #expect(!transient.isEmpty)
            #expect(Set(transient.compactMap(\.httpStatus)).isSubset(of: [500, 503]))
            #expect(attempts.filter { $0.outcome == "created" }.count == 200)
            #expect(harness.sandbox.stats().duplicateSessions == 0)
            // Counted attempts = every try of the row (none was rate limited).
            let triesPerRow = Dictionary(grouping: attempts, by: \.requestID).mapValues(\.count)
            for row in try await harness.rows(batch: batch) { #expect(row.attempts == triesPerRow[row.id]) }
        }
    }

    @Test("429 with Retry-After: retried after the pause, not counted as an attempt, pause shared via the database")
    func rateLimitedNotCounted() async throws {
        let faults = SandboxBehaviour.FaultRates(tooManyRequests: 0.3)
        try await RunnerHarness.with(behaviour: .faulty(faults, seed: 3)) { harness in
            let batch = RunnerHarness.batchID("ratelimited")
            try await harness.enqueue(batch: batch, count: 30)
            var configuration = harness.configuration(batch: batch, concurrency: 8)
            configuration.maxAttempts = 1  // a counted failure would fail the row at once
            let summary = try await harness.run(configuration)

            #expect(summary.exitCode == 0)
            #expect(try await harness.statusCounts(batch: batch) == ["created": 30])
            #expect(summary.rateLimited > 0)
            let attempts = try await harness.attempts(batch: batch)
            #expect(attempts.filter { $0.outcome == "rate_limited" }.count == summary.rateLimited)
            for row in try await harness.rows(batch: batch) { #expect(row.attempts == 1) }
            let penalties = try await harness.pool.query(
                "SELECT penalty_count FROM idv.rate_limits WHERE batch_id = $1", [.text(batch)])
            #expect(try penalties.first?.decode(Int.self, "penalty_count") ?? 0 > 0)
        }
    }

    @Test("an invalid spec or unknown configuration fails the row with the reason and makes no call")
    func invalidSpecFailsWithoutCall() async throws {
        try await RunnerHarness.with { harness in
            let batch = RunnerHarness.batchID("invalid")
            try await harness.addConfiguration(name: "standard", spec: TestSessionSpec.valid)
            try await harness.enqueue(batch: batch, count: 5, spec: nil, configName: "standard", prefix: "ok-")
            try await harness.enqueue(
                batch: batch, count: 3, spec: ["client_session_token_ttl": 100], configName: "standard", prefix: "bad-")
            try await harness.enqueue(
                batch: batch, count: 2, spec: nil, configName: "no-such-config", prefix: "missing-")
            let summary = try await harness.run(harness.configuration(batch: batch))

            #expect(summary.exitCode == 1)
            #expect(try await harness.statusCounts(batch: batch) == ["created": 5, "failed": 5])
            #expect(harness.sandbox.stats().createRequests == 5)
            for row in try await harness.rows(batch: batch) where row.status == "failed" {
                #expect(row.errorClass == "invalid_spec")
                #expect(row.attempts == 0 && row.sessionID == nil)
                if row.externalRef.hasPrefix("bad-") {
                    #expect(row.lastError?.contains("client_session_token_ttl") == true)
                } else {
                    #expect(row.lastError?.contains("no-such-config") == true)
                }
            }
            #expect(summary.errorClasses.map(\.name) == ["invalid_spec"])
            let invalidAttempts = try await harness.attempts(batch: batch).filter { $0.outcome == "invalid_spec" }
            #expect(
                invalidAttempts.count == 5
                    && invalidAttempts.allSatisfy { $0.sessionID == nil && $0.writeBack == "applied" })
        }
    }

    @Test("unknown outcome under .retry: flagged possible duplicate, retried, every sandbox session in the ledger")
    func unknownOutcomeRetried() async throws {
        let faults = SandboxBehaviour.FaultRates(resetAfterCreating: 0.15, malformedCreated: 0.15)
        try await RunnerHarness.with(behaviour: .faulty(faults, seed: 11)) { harness in
            let batch = RunnerHarness.batchID("unknown-retry")
            try await harness.enqueue(batch: batch, count: 60)
            var configuration = harness.configuration(batch: batch)
            configuration.maxAttempts = 20
            let summary = try await harness.run(configuration)

            #expect(try await harness.statusCounts(batch: batch) == ["created": 60])
            #expect(summary.unknownOutcomes > 0)
            let rows = try await harness.rows(batch: batch)
            let attempts = try await harness.attempts(batch: batch)
            let unknownRequests = Set(attempts.filter { $0.outcome == "unknown_outcome" }.map(\.requestID))
            #expect(!unknownRequests.isEmpty)
            for row in rows { #expect(row.possibleDuplicate == unknownRequests.contains(row.id)) }
            try Self.expectEverySessionAccounted(harness.sandboxSessions(), attempts: attempts)
        }
    }

    @Test("unknown outcome under .fail: the row fails with error class unknown_outcome after one call")
    func unknownOutcomeFailed() async throws {
        let faults = SandboxBehaviour.FaultRates(malformedCreated: 1)
        try await RunnerHarness.with(behaviour: .faulty(faults, seed: 1)) { harness in
            let batch = RunnerHarness.batchID("unknown-fail")
            try await harness.enqueue(batch: batch, count: 10)
            var configuration = harness.configuration(batch: batch)
            configuration.onUnknown = .fail
            let summary = try await harness.run(configuration)

            #expect(summary.exitCode == 1)
            #expect(harness.sandbox.stats().createRequests == 10)
            for row in try await harness.rows(batch: batch) {
                #expect(row.status == "failed" && row.errorClass == "unknown_outcome" && row.possibleDuplicate)
                #expect(row.attempts == 1)
            }
        }
    }

    @Test("401 (wrong key): the run stops fast with exit 3, no row failed, every row left pending")
    func credentialsStopTheRun() async throws {
        try await RunnerHarness.with(sandboxAcceptsKey: false) { harness in
            let batch = RunnerHarness.batchID("creds")
            try await harness.enqueue(batch: batch, count: 500)
            let summary = try await harness.run(harness.configuration(batch: batch, concurrency: 8))

            #expect(summary.exitCode == 3)
            #expect(summary.stopReason == .credentialsRejected)
            #expect(summary.stopDetail?.contains("YOTI_CLIENT_SDK_ID") == true)
            #expect(try await harness.statusCounts(batch: batch) == ["pending": 500])
            // Stopped after the first answers: at most a window's worth of calls, not 500.
            #expect(harness.sandbox.stats().signaturesRejected <= 16)
            for row in try await harness.rows(batch: batch) { #expect(row.attempts == 0) }
        }
    }

    @Test("fencing: a stale lease cannot overwrite the row, but its session stays in the ledger as lease_lost")
    func staleLeaseWriteBackIsFenced() async throws {
        try await RunnerHarness.with { harness in
            let batch = RunnerHarness.batchID("fence")
            try await harness.enqueue(batch: batch, count: 1)
            let first = CreateStepFixtures.claimer(harness.pool, batches: [batch], worker: "worker-a")
            let second = CreateStepFixtures.claimer(harness.pool, batches: [batch], worker: "worker-b")
            let stale = try #require(try await first.claim(limit: 5).first)
            // Worker A is presumed dead: its lease expires and the sweeper gives the row back.
            _ = try await harness.pool.query(
                "UPDATE idv.verification_requests SET lease_expires_at = now() - interval '1 second' WHERE id = $1",
                [.bigint(stale.id)])
            let sweeper = CreateStepFixtures.leaseKeeper(harness.pool, batches: [batch], worker: "worker-b")
            #expect(try await sweeper.reclaimOrphaned().rowsReleased == 1)
            let fresh = try #require(try await second.claim(limit: 5).first)
            #expect(fresh.leaseToken > stale.leaseToken)

            // Worker A comes back with a created session and tries to write it back.
            let late = CreateStepFixtures.session(id: "late-session", token: "late-token", requestID: "rq-late")
            let buffer = CreateStepFixtures.buffer(harness.pool)
            await buffer.append(CreateStepFixtures.writeBack(CreateStepFixtures.created(late), for: stale).entry)
            #expect(await buffer.flushOnce())
            #expect(await buffer.currentStatistics.entriesLeaseLost == 1)

            let row = try #require(try await harness.rows(batch: batch).first)
            #expect(row.status == "in_progress" && row.sessionID == nil && row.clientSessionToken == nil)
            let ledger = try await harness.attempts(batch: batch)
            let staleAttempt = try #require(ledger.first { $0.id == stale.attemptID })
            #expect(staleAttempt.sessionID == "late-session" && staleAttempt.writeBack == "lease_lost")
            let owner = try await harness.pool.query(
                "SELECT lease_owner, lease_token FROM idv.verification_requests WHERE id = $1", [.bigint(fresh.id)])
            #expect(try owner[0].decode(String?.self, "lease_owner") == "worker-b")
            #expect(try owner[0].decode(Int64.self, "lease_token") == fresh.leaseToken)
        }
    }

    @Test("an expired lease of a dead worker is reclaimed by the next run and flagged possible duplicate")
    func expiredLeaseReclaimed() async throws {
        try await RunnerHarness.with { harness in
            let batch = RunnerHarness.batchID("reclaim")
            try await harness.enqueue(batch: batch, count: 3)
            let dead = CreateStepFixtures.claimer(harness.pool, batches: [batch], worker: "dead-worker")
            let claimed = try await dead.claim(limit: 1)
            #expect(claimed.count == 1)
            _ = try await harness.pool.query(
                "UPDATE idv.verification_requests SET lease_expires_at = now() - interval '1 second' WHERE lease_owner = 'dead-worker'",
                [])
            let summary = try await harness.run(harness.configuration(batch: batch))

            #expect(summary.leasesReclaimed == 1)
            #expect(try await harness.statusCounts(batch: batch) == ["created": 3])
            let row = try #require(try await harness.rows(batch: batch).first { $0.id == claimed[0].id })
            #expect(row.possibleDuplicate)
            let ledger = try await harness.attempts(batch: batch).filter { $0.requestID == claimed[0].id }
            #expect(ledger.map(\.outcome) == ["lease_expired", "created"])
            #expect(ledger[0].possibleDuplicate && ledger[0].finished)
        }
    }

    @Test("--max-sessions K: exactly K sessions created, the rest left pending, exit 4")
    func maxSessionsBudget() async throws {
        try await RunnerHarness.with(behaviour: .latency(.milliseconds(20))) { harness in
            let batch = RunnerHarness.batchID("budget")
            try await harness.enqueue(batch: batch, count: 100)
            var configuration = harness.configuration(batch: batch, concurrency: 16)
            configuration.maxSessions = 25
            let summary = try await harness.run(configuration)

            #expect(summary.exitCode == 4)
            #expect(summary.stopReason == .budgetReached)
            #expect(harness.sandbox.stats().createRequests == 25)
            #expect(try await harness.statusCounts(batch: batch) == ["created": 25, "pending": 75])
        }
    }

    @Test("--dry-run validates every pending row and calls nothing")
    func dryRunCallsNothing() async throws {
        try await RunnerHarness.with { harness in
            let batch = RunnerHarness.batchID("dry")
            try await harness.enqueue(batch: batch, count: 40)
            try await harness.enqueue(batch: batch, count: 2, spec: ["client_session_token_ttl": 10], prefix: "bad-")
            let report = try await Runner.dryRun(
                configuration: harness.configuration(batch: batch), database: harness.pool)

            #expect(report.rowsChecked == 42 && report.rowsValid == 40 && report.rowsInvalid == 2)
            #expect(report.exitCode == 1)
            #expect(report.problems.map(\.externalRef).sorted() == ["bad-1", "bad-2"])
            #expect(harness.sandbox.stats().createRequests == 0)
            #expect(try await harness.statusCounts(batch: batch) == ["pending": 42])
            #expect(try await harness.attempts(batch: batch).isEmpty)
        }
    }

    @Test("--rate 20: the sandbox never sees more than the limit plus a small burst in any second")
    func sharedRateLimit() async throws {
        try await RunnerHarness.with { harness in
            let batch = RunnerHarness.batchID("rate")
            try await harness.enqueue(batch: batch, count: 60)
            var configuration = harness.configuration(batch: batch)
            configuration.rate = 20
            let summary = try await harness.run(configuration)

            #expect(try await harness.statusCounts(batch: batch) == ["created": 60])
            let stats = harness.sandbox.stats()
            // The limit plus a small burst: arrivals are timestamped by the sandbox on the same busy CPUs.
            #expect(stats.createRequestsPerSecondMax <= 23)
            #expect(summary.rateLimitWaits > 0)
            // Paced sends may wait longer than a signature stays fresh: they are signed when they go out.
            #expect(harness.recorder.callCount == 60 && harness.recorder.presignedCallCount == 0)
        }
    }

    /// Every session the sandbox created is recorded: by session id, or (when its answer never arrived)
    /// as a finished attempt flagged possible duplicate for the same user tracking id.
    static func expectEverySessionAccounted(_ sessions: [SandboxSession], attempts: [AttemptSnapshot]) throws {
        let recorded = Set(attempts.compactMap(\.sessionID))
        let flagged = Dictionary(grouping: attempts.filter { $0.possibleDuplicate && $0.sessionID == nil }) {
            $0.userTrackingID ?? ""
        }
        var unmatchedByUser: [String: Int] = [:]
        for session in sessions where !recorded.contains(session.id) {
            unmatchedByUser[session.userTrackingID ?? "", default: 0] += 1
        }
        for (user, count) in unmatchedByUser {
            #expect((flagged[user]?.count ?? 0) >= count, "session(s) for \(user) missing from the ledger")
        }
    }
}
