import Foundation
import PostgresClient
import Testing
import YotiAPI
import YotiSandbox

@testable import IDVRunner

/// `idv-batch sync` (``ResultSync`` on the engine) against PostgreSQL and the sandbox's simulated applicants.
@Suite("Result sync (PostgreSQL + sandbox)", .serialized)
struct ResultSyncTests {
    /// 60% complete after ten minutes (APPROVE 60%, REJECT 25%, NOT_AVAILABLE 15%), 10% expire, the rest stay
    /// ongoing. Ten minutes of sandbox clock: far longer than creating and syncing the batch on a loaded machine
    /// (so nobody finishes before the test moves the clock), shorter than the tokens' 899 s.
    static let applicants = ApplicantSimulation(
        completeShare: 0.6, expireShare: 0.1, delay: .seconds(600),
        recommendationMix: .init(approve: 0.6, reject: 0.25, notAvailable: 0.15))

    static func sync(
        _ harness: RunnerHarness, batch: String, staleAfter: Duration = .seconds(6 * 3600), maxAttempts: Int = 5
    )
        async -> ResultSync.Report
    {
        var configuration = harness.configuration(batch: batch)
        configuration.maxAttempts = maxAttempts
        return await ResultSync(
            configuration: configuration, database: harness.pool, fetcher: harness.client, staleAfter: staleAfter,
            logger: RunnerHarness.logger(label: "test.sync")
        ).execute(runID: nil)
    }

    /// `session_result` attempts in the ledger for `batch`.
    static func gets(_ harness: RunnerHarness, batch: String) async throws -> Int {
        try await harness.pool.query(
            "SELECT count(*) AS n FROM idv.attempts WHERE batch_id = $1 AND operation = 'session_result'",
            [.text(batch)])[0].decode(Int.self, "n")
    }

    /// Inserts one waiting `session_completion` notification per session, as the receiver would.
    static func notify(_ harness: RunnerHarness, sessions: [String]) async throws {
        try await harness.pool.execute(
            """
            INSERT INTO idv.notifications (session_id, topic, body)
            SELECT s, 'session_completion', jsonb_build_object('session_id', s, 'topic', 'session_completion')
            FROM unnest($1::text[]) AS s
            """, [.textArray(sessions)])
    }

    struct ResultRow: Hashable {
        var sessionID: String
        var state: String?
        var recommendation: String?
        var outcome: String?
        var checked: Bool
        var completed: Bool
    }

    static func results(_ harness: RunnerHarness, batch: String) async throws -> [String: ResultRow] {
        var rows: [String: ResultRow] = [:]
        for row in try await harness.pool.query(
            """
            SELECT session_id, remote_state, result_recommendation, result_outcome::text AS outcome,
                   result_checked_at IS NOT NULL AS checked, result_completed_at IS NOT NULL AS completed
            FROM idv.verification_requests WHERE batch_id = $1 AND session_id IS NOT NULL
            """, [.text(batch)])
        {
            let id = try row.decode(String.self, "session_id")
            rows[id] = ResultRow(
                sessionID: id, state: try row.decode(String?.self, "remote_state"),
                recommendation: try row.decode(String?.self, "result_recommendation"),
                outcome: try row.decode(String?.self, "outcome"), checked: try row.decode(Bool.self, "checked"),
                completed: try row.decode(Bool.self, "completed"))
        }
        return rows
    }

    /// The compact outcome the sandbox's session should produce now (`at`: the sandbox's clock).
    static func expectedOutcome(_ session: SandboxSession, at now: Date) -> SessionResult {
        SessionResult(json: [
            "state": .string(session.state(at: now).rawValue), "checks": .array(session.checks(at: now)),
        ])
    }

    @Test(
        "2,000 sessions, 60% completed with mixed outcomes and notified: one sync fetches exactly the notified ones and records them as the sandbox holds them; a second makes no call"
    )
    func notifiedFirst() async throws {
        let behaviour = SandboxBehaviour(seed: 14, applicants: Self.applicants)
        try await RunnerHarness.with(behaviour: behaviour) { harness in
            let batch = RunnerHarness.batchID("sync")
            try await harness.enqueue(batch: batch, count: 2_000)
            #expect(try await harness.run(harness.configuration(batch: batch)).sessionsCreated == 2_000)

            // Before anyone finished: the first sync checks every session once; all are ongoing.
            let first = await Self.sync(harness, batch: batch)
            #expect(first.stopReason == .completed && first.exitCode == 0)
            #expect(first.checkedByState == ["ONGOING": 2_000] && first.wantedStale == 2_000)
            #expect(try await Self.gets(harness, batch: batch) == 2_000)

            // Eleven minutes later (sandbox clock) the applicants have acted; Yoti notifies the completed ones.
            harness.sandbox.advanceClock(by: .seconds(660))
            let now = Date().addingTimeInterval(660)
            let sessions = harness.sandboxSessions()
            let completed = sessions.filter { $0.state(at: now) == .completed }
            let byRecommendation = Dictionary(grouping: completed) { $0.recommendation(at: now) ?? "-" }.mapValues(
                \.count)
            #expect(completed.count > 1_100 && completed.count < 1_300)
            #expect(byRecommendation.keys.sorted() == ["APPROVE", "NOT_AVAILABLE", "REJECT"])
            #expect(harness.sandbox.stats().completedByRecommendation == byRecommendation)
            try await Self.notify(harness, sessions: completed.map(\.id))

            let second = await Self.sync(harness, batch: batch)
            #expect(second.stopReason == .completed && second.exitCode == 0)
            #expect(second.wantedNotified == completed.count && second.wantedStale == 0)
            #expect(second.checkedByState == ["COMPLETED": completed.count])
            #expect(second.completedByRecommendation == byRecommendation)
            // GETs only for the sessions that needed one.
            #expect(try await Self.gets(harness, batch: batch) == 2_000 + completed.count)

            let rows = try await Self.results(harness, batch: batch)
            #expect(rows.count == 2_000)
            for session in sessions {
                let row = try #require(rows[session.id])
                if session.state(at: now) == .completed {
                    let expected = Self.expectedOutcome(session, at: now)
                    #expect(row.state == "COMPLETED" && row.completed && row.checked)
                    #expect(row.recommendation == session.recommendation(at: now))
                    let stored = try JSONDecoder().decode(JSONValue.self, from: Data((row.outcome ?? "").utf8))
                    #expect(stored == expected.outcomeJSON)
                } else {
                    // Not notified and not stale: still as the first sync saw them.
                    #expect(row.state == "ONGOING" && !row.completed && row.recommendation == nil)
                }
            }
            let waiting = try await harness.pool.query(
                "SELECT count(*) FILTER (WHERE processed_at IS NULL) AS n, count(*) AS total FROM idv.notifications")
            #expect(
                try waiting[0].decode(Int.self, "n") == 0 && waiting[0].decode(Int.self, "total") == completed.count)

            // Right after: nothing is notified or stale, so no call at all.
            let third = await Self.sync(harness, batch: batch)
            #expect(third.calls == 0 && third.checked == 0 && third.exitCode == 0)
            #expect(try await Self.gets(harness, batch: batch) == 2_000 + completed.count)

            // Stale at once: only the open sessions are fetched again (final ones never), and the expired
            // ones are now seen as such.
            let stale = await Self.sync(harness, batch: batch, staleAfter: .zero)
            let open = sessions.count - completed.count
            #expect(stale.calls == open && stale.wantedStale == open)
            let expired = sessions.filter { $0.state(at: now) == .expired }.count
            #expect(stale.checkedByState["EXPIRED", default: 0] == expired)
            #expect(stale.checkedByState["ONGOING", default: 0] == open - expired)

            // status: states, recommendations and notifications per batch.
            let status = try await BatchStatus(database: harness.pool).report(batchID: batch)
            let results = try #require(status.batches.first?.results)
            #expect(results.count("COMPLETED") == completed.count && results.count("EXPIRED") == expired)
            #expect(results.count("ONGOING") == open - expired && results.neverChecked == 0)
            #expect(results.recommendations == byRecommendation)
            #expect(results.notificationsReceived == completed.count && results.notificationsPending == 0)
            #expect(status.json["batches"]?[0]?["results"]?["completed"] == JSONValue.int(completed.count))
        }
    }

    @Test("a session deleted at Yoti is recorded NOT_FOUND (final: never fetched again)")
    func notFound() async throws {
        try await RunnerHarness.with { harness in
            let batch = RunnerHarness.batchID("sync404")
            try await harness.enqueue(batch: batch, count: 5)
            _ = try await harness.run(harness.configuration(batch: batch))
            let gone = try #require(try await harness.rows(batch: batch).first?.sessionID)
            try await harness.client.deleteSession(id: gone)
            // A late notification for it is settled without a call.
            let report = await Self.sync(harness, batch: batch)
            #expect(report.checkedByState == ["ONGOING": 4, "NOT_FOUND": 1] && report.exitCode == 0)
            #expect(try await Self.results(harness, batch: batch)[gone]?.state == "NOT_FOUND")
            try await Self.notify(harness, sessions: [gone])
            let again = await Self.sync(harness, batch: batch, staleAfter: .zero)
            #expect(again.calls == 4 && again.checkedByState["NOT_FOUND", default: 0] == 0)
            #expect(again.notificationsSettled == 1)
        }
    }

    @Test(
        "with 20% injected 500s on every call, the sync still converges: every session's state recorded, the retries in the ledger"
    )
    func faultsConverge() async throws {
        try await RunnerHarness.with(behaviour: SandboxBehaviour(seed: 7, applicants: Self.applicants)) { harness in
            let batch = RunnerHarness.batchID("syncfault")
            try await harness.enqueue(batch: batch, count: 200)
            _ = try await harness.run(harness.configuration(batch: batch))
            try harness.sandbox.setBehaviour(
                SandboxBehaviour(
                    faults: .init(internalServerError: 0.2), faultScope: .everyIDVRequest, seed: 7,
                    applicants: Self.applicants))
            let report = await Self.sync(harness, batch: batch, maxAttempts: 20)
            #expect(report.stopReason == .completed && report.failed == 0 && report.checked == 200)
            #expect(report.calls > 200)
            let rows = try await Self.results(harness, batch: batch)
            #expect(rows.values.allSatisfy { $0.state == "ONGOING" && $0.checked })
            let transient = try await harness.pool.query(
                """
                SELECT count(*) AS n FROM idv.attempts
                WHERE batch_id = $1 AND operation = 'session_result' AND outcome = 'transient'
                """, [.text(batch)])[0].decode(Int.self, "n")
            #expect(transient == report.calls - 200 && transient > 0)
        }
    }

    @Test(
        "the sweep clears tokens of completed sessions and does not try to delete ongoing ones with unfinished checks")
    func sweepUsesResults() async throws {
        let applicants = ApplicantSimulation(completeShare: 0.5, delay: .zero)
        try await RunnerHarness.with(behaviour: SandboxBehaviour(seed: 3, applicants: applicants)) { harness in
            let batch = RunnerHarness.batchID("syncsweep")
            try await harness.enqueue(batch: batch, count: 40)
            _ = try await harness.run(harness.configuration(batch: batch))
            let report = await Self.sync(harness, batch: batch)
            let completed = report.checkedByState["COMPLETED", default: 0]
            #expect(completed > 5 && completed < 35 && report.checkedByState["ONGOING", default: 0] == 40 - completed)

            // Tokens not expired yet: only the completed sessions' tokens are cleared; the rows stay created.
            let sweep = try await ExpirySweeper(
                database: harness.postgres, options: ExpirySweeper.Options(batches: [batch]), deleter: harness.client
            ).sweep()
            #expect(sweep.expired == 0 && sweep.completedTokensCleared == completed)
            let tokens = try await harness.pool.query(
                """
                SELECT remote_state, status, count(client_session_token) AS tokens, count(*) AS n
                FROM idv.verification_requests WHERE batch_id = $1 GROUP BY 1, 2 ORDER BY 1
                """, [.text(batch)])
            #expect(
                try tokens.map {
                    "\(try $0.decode(String.self, "remote_state"))/\(try $0.decode(String.self, "status"))/"
                        + "\(try $0.decode(Int.self, "tokens"))/\(try $0.decode(Int.self, "n"))"
                } == ["COMPLETED/created/0/\(completed)", "ONGOING/created/\(40 - completed)/\(40 - completed)"])

            // Every token expired, deletes asked: completed sessions are deleted, ongoing ones deferred (no 409 earned).
            var options = ExpirySweeper.Options(
                batches: [batch], asOf: Date().addingTimeInterval(86_400), deleteRemote: true)
            options.deleteConcurrency = 4
            let deleting = try await ExpirySweeper(
                database: harness.postgres, options: options, deleter: harness.client
            )
            .sweep()
            #expect(deleting.expired == 40 && deleting.remoteSkippedOngoing == 40 - completed)
            #expect(deleting.remoteDeleted == completed && deleting.remoteConflicts == 0)
            #expect(harness.sandbox.stats().sessionsDeleted == completed)
            #expect(harness.sandbox.stats().requests(withStatus: 409) == 0)
            let deferred = try await harness.pool.query(
                """
                SELECT count(*) AS n FROM idv.verification_requests
                WHERE batch_id = $1 AND remote_delete_status = 'deferred_ongoing' AND remote_deleted_at IS NULL
                """, [.text(batch)])[0].decode(Int.self, "n")
            #expect(deferred == 40 - completed)
        }
    }

    @Test("`sync` is recorded in idv.runs as kind sync, finished, with its exit code")
    func recordedAsSync() async throws {
        try await RunnerHarness.with { harness in
            let batch = RunnerHarness.batchID("sync-kind")
            try await harness.enqueue(batch: batch, count: 3)
            #expect(try await harness.run(harness.configuration(batch: batch)).sessionsCreated == 3)
            let sync = ResultSyncRun(
                configuration: harness.configuration(batch: batch), database: harness.pool, fetcher: harness.client,
                staleAfter: .seconds(3600), logger: RunnerHarness.logger(label: "test.sync"))
            let outcome = try await sync.execute()
            #expect(outcome.report.stopReason == .completed)
            let runs = try await harness.pool.query(
                """
                SELECT kind, exit_code, finished_at IS NOT NULL AS finished FROM idv.runs
                WHERE $1 = ANY (batch_ids) ORDER BY id
                """, [.text(batch)])
            #expect(try runs.map { try $0.decode(String.self, "kind") } == ["run", "sync"])
            #expect(try runs[1].decode(Int?.self, "exit_code") == 0 && runs[1].decode(Bool.self, "finished"))
        }
    }

    @Test(
        "a row whose fetch failed for good is not fetched again at the next sync: it waits stale-after, unless notified"
    )
    func failedRowsBackOff() async throws {
        try await RunnerHarness.with { harness in
            let batch = RunnerHarness.batchID("sync-failed")
            try await harness.enqueue(batch: batch, count: 6)
            _ = try await harness.run(harness.configuration(batch: batch))
            // Every fetch answers 500 and one attempt is all a row gets: each fails for good.
            try harness.sandbox.setBehaviour(
                SandboxBehaviour(faults: .init(internalServerError: 1), faultScope: .everyIDVRequest, seed: 2))
            let failing = await Self.sync(harness, batch: batch, maxAttempts: 1)
            #expect(failing.failed == 6 && failing.calls == 6)
            let errors = try await harness.pool.query(
                "SELECT count(result_error) AS n FROM idv.verification_requests WHERE batch_id = $1", [.text(batch)])
            #expect(try errors[0].decode(Int.self, "n") == 6)

            try harness.sandbox.setBehaviour(.healthy)
            let next = await Self.sync(harness, batch: batch)
            #expect(next.calls == 0 && next.wantedStale == 0, "\(next)")
            // A notification brings its row back at once; stale-after elapsed brings back the rest.
            let notified = try #require(try await harness.rows(batch: batch).first?.sessionID)
            try await Self.notify(harness, sessions: [notified])
            let answered = await Self.sync(harness, batch: batch)
            #expect(answered.calls == 1 && answered.wantedNotified == 1 && answered.checked == 1)
            let stale = await Self.sync(harness, batch: batch, staleAfter: .zero)
            #expect(stale.calls == 6 && stale.failed == 0)
        }
    }
}
