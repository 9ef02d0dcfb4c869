import Foundation
import PostgresClient
import TestSupport
import Testing
import YotiAPI
import YotiSandbox

@testable import IDVRunner

/// The expiry sweep against a real PostgreSQL (and the sandbox for remote deletion).
@Suite("Expiry sweep (PostgreSQL + sandbox)", .serialized)
struct ExpirySweeperTests {
    static func counts(_ pool: PostgresPool) async throws -> [String: Int] {
        var counts: [String: Int] = [:]
        for row in try await pool.query(
            """
            SELECT status || CASE WHEN client_session_token IS NULL THEN '' ELSE '+token' END AS key, count(*) AS n
            FROM idv.verification_requests GROUP BY 1
            """)
        {
            counts[try row.decode(String.self, "key")] = try row.decode(Int.self, "n")
        }
        return counts
    }

    @Test("rows whose tokens expired as of the given time become expired with the token cleared; again changes nothing")
    func asOfSweep() async throws {
        try await MigratedDatabase.with { database in
            let base = Date(timeIntervalSince1970: 1_900_000_000)
            try await SeededRows.created(database.pool, batch: "a", prefix: "old-", count: 12, expiresAt: base)
            try await SeededRows.created(
                database.pool, batch: "a", prefix: "new-", count: 5, expiresAt: base.addingTimeInterval(3_600))
            try await SeededRows.created(database.pool, batch: "b", prefix: "old-", count: 4, expiresAt: base)
            var options = ExpirySweeper.Options(batches: ["a"], asOf: base.addingTimeInterval(1))
            options.chunkSize = 5  // several chunks
            let first = try await ExpirySweeper(database: database.configuration, options: options).sweep()
            #expect(first.outcome == .completed && first.expired == 12 && first.exitCode == 0)
            #expect(try await Self.counts(database.pool) == ["expired": 12, "created+token": 9])
            let second = try await ExpirySweeper(database: database.configuration, options: options).sweep()
            #expect(second.expired == 0)

            // Recorded in idv.runs as kind expire with the counts.
            let runs = try await database.pool.query(
                """
                SELECT kind, exit_code, details->>'expired' AS expired, finished_at IS NOT NULL AS done, batch_ids
                FROM idv.runs ORDER BY id
                """)
            #expect(try runs.map { try $0.decode(String.self, "kind") } == ["expire", "expire"])
            #expect(try runs[0].decode([String].self, "batch_ids") == ["a"])
            #expect(try runs[0].decode(String.self, "expired") == "12" && runs[0].decode(Bool.self, "done"))
        }
    }

    @Test("clearing completed sessions' tokens reads its small index, not the table: an idle sweep stays cheap")
    func completedTokensUseTheIndex() async throws {
        try await MigratedDatabase.with { database in
            let base = Date(timeIntervalSince1970: 1_900_000_000)
            // Many created rows that are not COMPLETED, and a few that are: only those are in the index.
            try await SeededRows.created(database.pool, batch: "a", prefix: "open-", count: 20_000, expiresAt: base)
            try await SeededRows.created(database.pool, batch: "a", prefix: "done-", count: 3, expiresAt: base)
            try await database.pool.execute(
                "UPDATE idv.verification_requests SET remote_state = 'COMPLETED' WHERE external_ref LIKE 'done-%'")
            try await database.pool.execute("ANALYZE idv.verification_requests")
            let plan = try await database.pool.query(
                "EXPLAIN " + ExpirySweeper.clearCompletedTokensSQL, [.textArray([]), .int(5_000)]
            ).map { try $0.decode(String.self, "QUERY PLAN") }.joined(separator: "\n")
            #expect(plan.contains("verification_requests_completed_token_idx"), "\(plan)")
            #expect(!plan.contains("Seq Scan"), "\(plan)")

            // And it does what it says: the three completed sessions lose their tokens, the rest keep theirs.
            let sweep = try await ExpirySweeper(
                database: database.configuration, options: .init(asOf: base.addingTimeInterval(-1))
            ).sweep()
            #expect(sweep.completedTokensCleared == 3)
            #expect(try await Self.counts(database.pool) == ["created": 3, "created+token": 20_000])
        }
    }

    @Test("a dry run reports the counts and changes nothing, not even idv.runs")
    func dryRun() async throws {
        try await MigratedDatabase.with { database in
            try await SeededRows.created(
                database.pool, batch: "a", prefix: "x-", count: 7, expiresAt: Date(timeIntervalSince1970: 1_000))
            let before = try await Self.counts(database.pool)
            let report = try await ExpirySweeper(
                database: database.configuration, options: .init(dryRun: true, deleteRemote: true)
            ).sweep()
            #expect(report.outcome == .dryRun && report.expired == 7 && report.remoteDeleted == 7)
            #expect(report.render().contains("Nothing was changed"))
            #expect(try await Self.counts(database.pool) == before)
            #expect(try await database.count("SELECT 1 FROM idv.runs") == 0)
        }
    }

    @Test("a sweep started while another holds the lock says another sweep is running and does nothing")
    func secondSweep() async throws {
        try await MigratedDatabase.with { database in
            try await SeededRows.created(
                database.pool, batch: "a", prefix: "x-", count: 3, expiresAt: Date(timeIntervalSince1970: 1_000))
            let holder = try await PostgresConnection.connect(database.configuration)
            try await holder.query("SELECT pg_advisory_lock($1)", [.bigint(ExpirySweeper.lockKey)])
            let blocked = try await ExpirySweeper(database: database.configuration, options: .init()).sweep()
            #expect(blocked.outcome == .anotherSweepRunning && blocked.exitCode == 0)
            #expect(blocked.render().contains("Another expiry sweep is running"))
            #expect(try await Self.counts(database.pool) == ["created+token": 3])
            await holder.close()
            let after = try await ExpirySweeper(database: database.configuration, options: .init()).sweep()
            #expect(after.expired == 3)
        }
    }

    @Test("two sweeps at once: the second finds the first running, says so and changes nothing")
    func concurrentSweeps() async throws {
        try await RunnerHarness.with(behaviour: .latency(.milliseconds(300))) { harness in
            let batch = RunnerHarness.batchID("two-sweeps")
            try await SeededRows.created(
                harness.pool, batch: batch, prefix: "x-", count: 5, expiresAt: Date(timeIntervalSince1970: 1_000))
            var options = ExpirySweeper.Options(deleteRemote: true)
            options.deleteConcurrency = 1  // five slow deletes in a row: the first sweep holds the lock for ~1.5 s
            let first = Task {
                try await ExpirySweeper(database: harness.postgres, options: options, deleter: harness.client).sweep()
            }
            try await Task.sleep(for: .milliseconds(400))
            let second = try await ExpirySweeper(database: harness.postgres, options: options, deleter: harness.client)
                .sweep()
            let firstReport = try await first.value
            #expect(second.outcome == .anotherSweepRunning && second.exitCode == 0 && second.expired == 0)
            #expect(firstReport.outcome == .completed && firstReport.expired == 5)
            // The seeded sessions do not exist at Yoti: each delete is a 404, counted as already gone.
            #expect(firstReport.remoteAlreadyGone == 5)
            // One sweep ran (over all batches: batch_ids NULL).
            #expect(
                try await harness.pool.query(
                    "SELECT count(*) AS n FROM idv.runs WHERE kind = 'expire' AND batch_ids IS NULL")[0].decode(
                        Int.self, "n") == 1)
        }
    }

    @Test("sweeping repeatedly while a run creates sessions: rows in progress are never touched and nothing is lost")
    func sweepDuringRun() async throws {
        try await RunnerHarness.with(behaviour: .latency(.milliseconds(20))) { harness in
            let batch = RunnerHarness.batchID("sweep-run")
            try await harness.enqueue(batch: batch, count: 300)
            try await SeededRows.created(
                harness.pool, batch: batch, prefix: "old-", count: 50, expiresAt: Date(timeIntervalSince1970: 1_000))
            let far = Date().addingTimeInterval(365 * 86_400)
            let run = Task { try await harness.run(harness.configuration(batch: batch, concurrency: 16)) }
            var sweeps: [ExpirySweepReport] = []
            // Sweep as of a year ahead, so every created row is due the moment it is written back.
            for _ in 0..<15 {
                var options = ExpirySweeper.Options(asOf: far)
                options.chunkSize = 40
                sweeps.append(try await ExpirySweeper(database: harness.postgres, options: options).sweep())
                try await Task.sleep(for: .milliseconds(50))
            }
            let summary = try await run.value
            var options = ExpirySweeper.Options(asOf: far)
            options.chunkSize = 40
            sweeps.append(try await ExpirySweeper(database: harness.postgres, options: options).sweep())

            #expect(summary.sessionsCreated == 300 && summary.exitCode == 0)
            #expect(sweeps.map(\.expired).reduce(0, +) == 350)
            // The sweeps really overlapped the run: some rows it created were expired before it finished.
            #expect(sweeps.dropLast().map(\.expired).reduce(0, +) > 50)
            let rows = try await harness.rows(batch: batch)
            #expect(rows.count == 350)
            #expect(rows.allSatisfy { $0.status == "expired" && $0.clientSessionToken == nil && $0.sessionID != nil })
            // Every session the run created was written back (no lost results, no duplicates).
            let attempts = try await harness.attempts(batch: batch)
            #expect(attempts.count == 300 && attempts.allSatisfy { $0.writeBack == "applied" })
            #expect(harness.sandbox.stats().sessionsCreated == 300)
        }
    }

    @Test("--delete-remote: a 409 is deferred and retried by a later sweep; 404 counts as already gone")
    func deleteRemote() async throws {
        try await RunnerHarness.with { harness in
            let batch = RunnerHarness.batchID("delete")
            try await harness.enqueue(batch: batch, count: 12)
            #expect(try await harness.run(harness.configuration(batch: batch)).sessionsCreated == 12)
            let far = Date().addingTimeInterval(365 * 86_400)
            // One session is already gone at Yoti.
            let gone = try #require(try await harness.rows(batch: batch).first?.sessionID)
            try await harness.client.deleteSession(id: gone)

            try harness.sandbox.setBehaviour(SandboxBehaviour(deleteAnswersConflict: true))
            var options = ExpirySweeper.Options(asOf: far, deleteRemote: true)
            options.deleteConcurrency = 4
            let first = try await ExpirySweeper(database: harness.postgres, options: options, deleter: harness.client)
                .sweep()
            #expect(first.expired == 12)
            #expect(first.remoteConflicts == 11 && first.remoteAlreadyGone == 1 && first.remoteDeleted == 0)
            #expect(first.exitCode == 0)
            let deferred = try await harness.pool.query(
                """
                SELECT remote_delete_status AS s, count(*) AS n, count(remote_deleted_at) AS stamped
                FROM idv.verification_requests WHERE batch_id = $1 GROUP BY 1 ORDER BY 1
                """, [.text(batch)])
            #expect(
                try deferred.map {
                    "\(try $0.decode(String.self, "s"))=\(try $0.decode(Int.self, "n"))/\(try $0.decode(Int.self, "stamped"))"
                }
                    == ["conflict=11/0", "not_found=1/1"])

            try harness.sandbox.setBehaviour(.healthy)
            // Later sweeps delete what was deferred. A delete can itself fail transiently on a loaded machine
            // (and is then deferred again), so allow a few sweeps, as cron would run them.
            var deletedLater = 0
            for _ in 0..<5 where deletedLater < 11 {
                let later = try await ExpirySweeper(
                    database: harness.postgres, options: options, deleter: harness.client
                ).sweep()
                #expect(later.expired == 0 && later.remoteConflicts == 0)
                deletedLater += later.remoteDeleted
            }
            #expect(deletedLater == 11)
            #expect(harness.sandbox.stats().sessionsDeleted == 12)
            #expect(
                try await harness.pool.query(
                    "SELECT count(*) AS n FROM idv.verification_requests WHERE batch_id = $1 AND remote_deleted_at IS NOT NULL",
                    [.text(batch)])[0].decode(Int.self, "n") == 12)

            let third = try await ExpirySweeper(database: harness.postgres, options: options, deleter: harness.client)
                .sweep()
            #expect(third.remoteDeleted == 0 && third.remoteAlreadyGone == 0)
            #expect(harness.sandbox.stats().sessionsDeleted == 12)
        }
    }

    @Test("rejected credentials stop the remote deletes with exit 3 and leave the rows for the next sweep")
    func credentialsStop() async throws {
        try await RunnerHarness.with(sandboxAcceptsKey: false) { harness in
            let batch = RunnerHarness.batchID("creds")
            try await SeededRows.created(
                harness.pool, batch: batch, prefix: "x-", count: 5, expiresAt: Date(timeIntervalSince1970: 1_000))
            var options = ExpirySweeper.Options(deleteRemote: true)
            options.deleteConcurrency = 1
            let report = try await ExpirySweeper(database: harness.postgres, options: options, deleter: harness.client)
                .sweep()
            #expect(report.outcome == .credentialsRejected && report.exitCode == 3)
            #expect(report.expired == 5 && report.remoteDeleted == 0)
            #expect(report.render().contains("credentials"))
            #expect(
                try await harness.pool.query(
                    "SELECT count(*) AS n FROM idv.verification_requests WHERE batch_id = $1 AND remote_delete_status IS NOT NULL",
                    [.text(batch)])[0].decode(Int.self, "n") == 0)
            let run = try await harness.pool.query("SELECT exit_code FROM idv.runs WHERE kind = 'expire'")
            #expect(try run.map { try $0.decode(Int.self, "exit_code") } == [3])
        }
    }
}
