import Foundation
import PostgresClient
import Testing
import YotiAPI
import YotiSandbox

@testable import IDVRunner

/// `pause`, `resume` and `cancel` against a real PostgreSQL and the in-process sandbox.
@Suite("Batch control (PostgreSQL)")
struct BatchControlTests {
    /// The database's clock now, as seconds since 1970 (statements compare against the server's clock).
    static func serverNow(_ harness: RunnerHarness) async throws -> Double {
        try await harness.pool.query("SELECT EXTRACT(EPOCH FROM clock_timestamp())::float8 AS t")[0].decode(
            Double.self, "t")
    }

    static func count(_ harness: RunnerHarness, _ sql: String, _ parameters: [PostgresValue]) async throws -> Int {
        try await harness.pool.query("SELECT count(*) AS n FROM (\(sql)) AS counted", parameters)[0].decode(
            Int.self, "n")
    }

    /// Four runners on one batch, each `concurrency` calls wide.
    static func fourRunners(_ harness: RunnerHarness, batch: String, concurrency: Int = 4) async throws -> [RunSummary]
    {
        try await withThrowingTaskGroup(of: RunSummary.self) { group in
            for _ in 0..<4 {
                group.addTask { try await harness.run(harness.configuration(batch: batch, concurrency: concurrency)) }
            }
            var summaries: [RunSummary] = []
            for try await summary in group { summaries.append(summary) }
            return summaries
        }
    }

    @Test(
        "pause with 4 runners: no call starts once the pause is visible, in-flight calls are written back, runs end paused; resume finishes"
    )
    func pauseFourRunners() async throws {
        try await RunnerHarness.with(behaviour: .latency(.milliseconds(25))) { harness in
            let batch = RunnerHarness.batchID("pause")
            let rows = 600
            try await harness.enqueue(batch: batch, count: rows)
            let control = BatchControl(pool: harness.pool)

            let running = Task { try await Self.fourRunners(harness, batch: batch) }
            while harness.recorder.callCount < 60 { try await Task.sleep(for: .milliseconds(2)) }
            let paused = try await control.pause(
                batchID: batch, by: .init(name: "ops-test", reason: "wrong letter template"))
            let callsAtPause = harness.recorder.callCount
            let visibleAt = try await Self.serverNow(harness)
            #expect(paused.changed)
            let summaries = try await running.value

            // Every runner stopped as paused (exit 5), naming the batch, who paused it and how to resume.
            #expect(summaries.count == 4)
            for summary in summaries {
                #expect(summary.stopReason == .paused)
                #expect(summary.exitCode == 5)
                #expect(
                    summary.stopDetail?.contains("Batch \(batch) is paused by ops-test (wrong letter template)") == true
                )
                #expect(summary.stopDetail?.contains("idv-batch resume \(batch)") == true)
            }
            // No claim after the pause became visible; at most the 16 claimed slots started calls after it.
            #expect(
                try await Self.count(
                    harness, "SELECT 1 FROM idv.attempts WHERE batch_id = $1 AND started_at > to_timestamp($2)",
                    [.text(batch), .double(visibleAt)]) == 0)
            let callsAfterRuns = harness.recorder.callCount
            #expect(callsAfterRuns - callsAtPause <= 16)
            #expect(callsAfterRuns < rows)
            // In-flight calls finished and were written back: every session made is on its row, nothing is leased.
            let counts = try await harness.statusCounts(batch: batch)
            let sandboxCreates = harness.sandboxSessions().count
            #expect(counts["created"] == sandboxCreates)
            #expect(counts["in_progress"] == nil)
            #expect((counts["pending"] ?? 0) == rows - sandboxCreates)
            let attempts = try await harness.attempts(batch: batch)
            #expect(attempts.allSatisfy { $0.finished && $0.writeBack == "applied" })

            // A run started while paused creates nothing and ends as paused too.
            let idle = try await harness.run(harness.configuration(batch: batch))
            #expect(idle.stopReason == .paused && idle.sessionsCreated == 0)
            #expect(harness.sandboxSessions().count == sandboxCreates)

            let resumed = try await control.resume(batchID: batch, by: .init(name: "ops-test"))
            #expect(resumed.changed && resumed.pausedBy == "ops-test")
            let finished = try await Self.fourRunners(harness, batch: batch)
            #expect(finished.allSatisfy { $0.stopReason == .completed && $0.exitCode == 0 })
            #expect(try await harness.statusCounts(batch: batch) == ["created": rows])
            #expect(harness.sandboxSessions().count == rows)
            #expect(harness.recorder.callCount == rows)

            let actions = try await harness.pool.query(
                "SELECT action, actor, reason FROM idv.batch_actions WHERE batch_id = $1 ORDER BY id", [.text(batch)])
            #expect(try actions.map { try $0.decode(String.self, "action") } == ["pause", "resume"])
            #expect(try actions.map { try $0.decode(String.self, "actor") } == ["ops-test", "ops-test"])
            #expect(try actions[0].decode(String?.self, "reason") == "wrong letter template")
        }
    }

    @Test("pause is idempotent, inserts the batch row when there is none, and refuses an unknown batch")
    func pauseBookkeeping() async throws {
        try await RunnerHarness.with { harness in
            let batch = RunnerHarness.batchID("book")
            try await harness.enqueue(batch: batch, count: 3)
            let control = BatchControl(pool: harness.pool)
            #expect(try await Self.count(harness, "SELECT 1 FROM idv.batches WHERE batch_id = $1", [.text(batch)]) == 0)
            let first = try await control.pause(batchID: batch, by: .init(name: "a", reason: "r1"))
            #expect(first.changed && first.pendingRows == 3)
            let second = try await control.pause(batchID: batch, by: .init(name: "b", reason: "r2"))
            #expect(!second.changed && second.pausedBy == "a" && second.reason == "r1")
            let row = try await harness.pool.query(
                "SELECT paused_at IS NOT NULL AS paused, paused_by FROM idv.batches WHERE batch_id = $1", [.text(batch)]
            )[0]
            #expect(try row.decode(Bool.self, "paused") && row.decode(String?.self, "paused_by") == "a")
            #expect(
                try await Self.count(harness, "SELECT 1 FROM idv.batch_actions WHERE batch_id = $1", [.text(batch)])
                    == 1)
            // status shows the pause and the audit trail, in the table and in JSON.
            let report = try await BatchStatus(database: harness.pool).report(batchID: batch)
            let table = report.render()
            #expect(table.contains("PAUSED since"), "\(table)")
            #expect(table.contains("by a: r1"), "\(table)")
            #expect(table.contains("pause by a: r1 — 3 rows pending"), "\(table)")
            let json = report.json
            #expect(json["batches"]?[0]?["paused"]?["by"]?.stringValue == "a")
            #expect(json["batches"]?[0]?["actions"]?[0]?["action"]?.stringValue == "pause")
            #expect(try await control.resume(batchID: batch, by: .init()).changed)
            #expect(try await control.resume(batchID: batch, by: .init()).changed == false)
            await #expect(throws: OperationError.self) {
                try await control.pause(batchID: "no-such-batch-\(UUID())", by: .init())
            }
            // The default actor is $USER@host.
            #expect(BatchControl.Requester().name == Rerunner.defaultRequester())
        }
    }

    @Test("cancel leaves nothing pending, records who did it, skips leased rows, and a later run creates nothing")
    func cancel() async throws {
        try await RunnerHarness.with { harness in
            let batch = RunnerHarness.batchID("cancel")
            try await harness.enqueue(batch: batch, count: 20)
            // One row a worker holds right now.
            try await harness.pool.execute(
                """
                UPDATE idv.verification_requests SET status = 'in_progress', lease_operation = 'create_session',
                    lease_token = 1, lease_expires_at = now() + interval '1 hour'
                WHERE batch_id = $1 AND external_ref = 'ref-1'
                """, [.text(batch)])
            let control = BatchControl(pool: harness.pool)
            let result = try await control.cancel(
                batchID: batch, statuses: ["pending"], refs: nil, by: .init(name: "alice", reason: "campaign withdrawn")
            )
            #expect(result.cancelledByStatus == ["pending": 19])
            #expect(result.skippedInFlight == 1)
            let actionID = try #require(result.actionID)
            #expect(try await harness.statusCounts(batch: batch) == ["cancelled": 19, "in_progress": 1])
            let cancelled = try await harness.rows(batch: batch).filter { $0.status == "cancelled" }
            #expect(cancelled.allSatisfy { $0.lastError == "cancelled by alice: campaign withdrawn" })
            let action = try await harness.pool.query(
                "SELECT actor, reason, details ->> 'skipped_in_flight' AS skipped FROM idv.batch_actions WHERE id = $1",
                [.bigint(actionID)])[0]
            #expect(try action.decode(String.self, "actor") == "alice")
            #expect(try action.decode(String?.self, "reason") == "campaign withdrawn")
            #expect(try action.decode(String?.self, "skipped") == "1")

            // The worker writes its row back (say, retry scheduled): cancelling again takes it.
            try await harness.pool.execute(
                """
                UPDATE idv.verification_requests SET status = 'pending', lease_operation = NULL, lease_token = NULL,
                    lease_expires_at = NULL WHERE batch_id = $1 AND external_ref = 'ref-1'
                """, [.text(batch)])
            let again = try await control.cancel(
                batchID: batch, statuses: ["pending"], refs: nil, by: .init(name: "alice"))
            #expect(again.cancelled == 1 && again.skippedInFlight == 0)
            #expect(try await harness.statusCounts(batch: batch) == ["cancelled": 20])

            let summary = try await harness.run(harness.configuration(batch: batch))
            #expect(summary.stopReason == .completed && summary.sessionsCreated == 0 && summary.callsStarted == 0)
            #expect(harness.recorder.callCount == 0)
            #expect(try await harness.statusCounts(batch: batch) == ["cancelled": 20])
        }
    }

    @Test(
        "cancel --refs takes only those refs (reporting unknown ones); created rows' sessions are deleted through the engine, paused or not"
    )
    func cancelRefsDeleteRemote() async throws {
        try await RunnerHarness.with { harness in
            let batch = RunnerHarness.batchID("refs")
            try await harness.enqueue(batch: batch, count: 6)
            let created = try await harness.run(harness.configuration(batch: batch))
            #expect(created.sessionsCreated == 6)
            let control = BatchControl(pool: harness.pool)
            await #expect(throws: OperationError.self) {
                try await control.cancel(batchID: batch, statuses: ["expired"], refs: nil, by: .init())
            }
            // Paused first (the usual order: hold, then decide): deleting sessions is clean-up, not held by the pause.
            _ = try await control.pause(batchID: batch, by: .init(name: "bob"))
            let result = try await control.cancel(
                batchID: batch, statuses: ["pending", "created"], refs: ["ref-2", "ref-3", "nobody"],
                by: .init(name: "bob"))
            #expect(result.cancelledByStatus == ["created": 2] && result.withSession == 2)
            #expect(result.unknownRefs == ["nobody"])

            var options = ExpirySweeper.Options(batches: [batch], deleteRemote: true)
            options.requestTimeout = .seconds(10)
            let report = try await ExpirySweeper(
                database: harness.postgres, options: options, deleter: harness.client,
                logger: RunnerHarness.logger(label: "test.cancel")
            ).sweep()
            #expect(report.remoteDeleted == 2)
            let deleted = try await Self.count(
                harness,
                "SELECT 1 FROM idv.verification_requests WHERE batch_id = $1 AND status = 'cancelled' AND remote_delete_status = 'deleted'",
                [.text(batch)])
            #expect(deleted == 2)
            #expect(
                try await Self.count(
                    harness,
                    "SELECT 1 FROM idv.attempts WHERE batch_id = $1 AND operation = 'delete_session' AND outcome = 'deleted'",
                    [.text(batch)]) == 2)
            #expect(try await harness.statusCounts(batch: batch) == ["created": 4, "cancelled": 2])
        }
    }
}
