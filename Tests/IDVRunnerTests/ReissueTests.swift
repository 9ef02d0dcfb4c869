import Foundation
import PostgresClient
import Testing
import YotiAPI

@testable import IDVRunner

/// `rerun --expired`: rows whose token lapsed get a fresh session in the same batch, the old one kept.
@Suite("Reissue expired rows (PostgreSQL)")
struct ReissueTests {
    @Test(
        "expired rows get a fresh session, capped by --max-sessions; the old session stays in previous_sessions; dry run changes nothing"
    )
    func reissue() async throws {
        try await RunnerHarness.with { harness in
            let batch = RunnerHarness.batchID("reissue")
            try await harness.enqueue(batch: batch, count: 3)
            #expect(try await harness.run(harness.configuration(batch: batch)).sessionsCreated == 3)
            // The applicants let their tokens lapse: the sweep marks the rows expired and clears the tokens.
            try await harness.pool.execute(
                "UPDATE idv.verification_requests SET token_expires_at = now() - interval '1 minute' WHERE batch_id = $1",
                [.text(batch)])
            let sweep = try await ExpirySweeper(
                database: harness.postgres, options: .init(batches: [batch]), deleter: nil,
                logger: RunnerHarness.logger(label: "test.reissue")
            ).sweep()
            #expect(sweep.expired == 3)
            let before = try await harness.rows(batch: batch)
            let oldSessions = Set(before.compactMap(\.sessionID))
            #expect(oldSessions.count == 3)

            let rerunner = Rerunner(pool: harness.pool)
            let dry = try await rerunner.reissueExpired(batchID: batch, limit: 2, dryRun: true)
            #expect(dry.rowsReissued == 2 && dry.expiredRowsLeft == 1 && dry.rerunID == nil)
            #expect(try await harness.statusCounts(batch: batch) == ["expired": 3])

            let result = try await rerunner.reissueExpired(batchID: batch, limit: 2, requestedBy: "ops@test")
            #expect(result.rowsReissued == 2 && result.expiredRowsLeft == 1 && result.rerunID != nil)
            #expect(try await harness.statusCounts(batch: batch) == ["pending": 2, "expired": 1])
            let history = try await harness.pool.query(
                """
                SELECT external_ref, previous_sessions::text AS previous, session_id FROM idv.verification_requests
                WHERE batch_id = $1 AND status = 'pending' ORDER BY id
                """, [.text(batch)])
            for row in history {
                #expect(try row.decode(String?.self, "session_id") == nil)
                let previous = try JSONValue(jsonString: try row.decode(String.self, "previous"))
                let kept = previous[0]?["session_id"]?.stringValue
                #expect(kept.map(oldSessions.contains) == true)
                #expect(previous[0]?["client_session_token"] == nil)  // the dead token is not kept
            }

            let summary = try await harness.run(harness.configuration(batch: batch))
            #expect(summary.sessionsCreated == 2 && summary.exitCode == 0)
            let after = try await harness.rows(batch: batch)
            #expect(after.filter { $0.status == "created" }.count == 2)
            #expect(
                after.filter { $0.status == "created" }.allSatisfy {
                    $0.sessionID.map { !oldSessions.contains($0) } == true
                })
            // The ledger holds both generations of sessions.
            let ledger = Set(try await harness.attempts(batch: batch).compactMap(\.sessionID))
            #expect(ledger.isSuperset(of: oldSessions) && ledger.count == 5)
            // Recorded as a rerun and an operator action, which status reads in words.
            let status = try await BatchStatus(database: harness.pool).report(batchID: batch).render()
            #expect(status.contains("(expired rows reissued, at most 2)"))
            #expect(status.contains("reissue by ops@test — 2 rows reissued"))
            #expect(status.contains("tokens expired"))
            #expect(!status.contains("{\""))

            await #expect(throws: OperationError.self) { try await rerunner.reissueExpired(batchID: batch, limit: 0) }
        }
    }
}
