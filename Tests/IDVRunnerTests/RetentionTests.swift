import Foundation
import PostgresClient
import TestSupport
import Testing
import YotiClient

@testable import IDVRunner

/// Records every session deleted; answers 409 for the ids in `conflicts`.
private final class RecordingDeleter: SessionDeleting, @unchecked Sendable {
    private let lock = NSLock()
    private var deleted: [String] = []
    let conflicts: Set<String>

    init(conflicts: Set<String> = []) { self.conflicts = conflicts }

    func deleteSession(id: String) async throws {
        if conflicts.contains(id) {
            throw YotiAPIError(
                code: .permanent, operation: .idv("DELETE /sessions/{id}"), status: 409, message: "in use")
        }
        lock.withLock { deleted.append(id) }
    }

    var calls: [String] { lock.withLock { deleted.sorted() } }
}

/// Retention: the policy, purge, legal hold and the rerun refusal, against a real PostgreSQL.
@Suite("Retention (purge, hold)", .serialized)
struct RetentionTests {
    static let finished = Date(timeIntervalSince1970: 1_900_000_000)

    /// Rows of `batch`: `count` expired (token expired at `finished`) with a spec, instructions, a session and
    /// a letter file in `letters` each, plus one pending row that must never be touched.
    static func seed(_ pool: PostgresPool, batch: String, count: Int, letters: URL) async throws {
        try FileManager.default.createDirectory(at: letters, withIntermediateDirectories: true)
        for index in 1...count {
            let path = letters.appendingPathComponent("\(batch)-\(index).pdf").path
            try Data("letter for CanaryGiven CanaryFamily".utf8).write(to: URL(fileURLWithPath: path))
            try await pool.execute(
                """
                INSERT INTO idv.verification_requests
                    (batch_id, external_ref, session_spec, ibv_instructions, status, attempts, session_id,
                     token_expires_at, letter_path, result_outcome, result_recommendation)
                VALUES ($1, $2, '{"resources": {"applicant_profile": {"given_names": "CanaryGiven"}}}'::jsonb,
                        '{"contact_profile": {"email": "canary@example.org"}}'::jsonb, 'expired', 1, $3, $4, $5,
                        '{"checks": []}'::jsonb, 'APPROVE')
                """,
                [
                    .text(batch), .text("ref-\(index)"), .text("sess-\(batch)-\(index)"), .timestamp(finished),
                    .text(path),
                ])
        }
        try await pool.execute(
            "INSERT INTO idv.verification_requests (batch_id, external_ref, session_spec) VALUES ($1, 'waiting', '{}')",
            [.text(batch)])
    }

    static func personalRows(_ pool: PostgresPool) async throws -> Int {
        try await pool.query(
            """
            SELECT count(*) AS n FROM idv.verification_requests
            WHERE session_spec IS NOT NULL OR ibv_instructions IS NOT NULL OR letter_path IS NOT NULL
            """)[0].decode(Int.self, "n")
    }

    @Test("periods: durations, never, and clear errors for unknown kinds, bad and negative periods")
    func policyParsing() throws {
        let policy = try RetentionPolicy.parse([("personal_inputs", "7d"), ("results", "2w"), ("notifications", "0d")])
        #expect(policy.personalInputs == .after(seconds: 7 * 86_400))
        #expect(policy.results == .after(seconds: 14 * 86_400))
        #expect(policy.notifications == .after(seconds: 0))
        #expect(policy.yotiSessions == .after(seconds: 30 * 86_400))
        #expect(RetentionPolicy().results == .never)
        #expect(policy.summary == "personal_inputs=1w results=2w notifications=0d yoti_sessions=30d")
        for (kind, text, fragment) in [
            ("personal_input", "7d", "unknown kind"), ("results", "-1d", "negative"),
            ("results", "7x", "not a duration"),
            ("results", "d", "not a duration"), ("results", "forever", "not a duration"),
        ] {
            #expect {
                _ = try RetentionPolicy.parse([(kind, text)])
            } throws: { error in
                guard let error = error as? OperationError else { return false }
                return error.code == .usage && error.message.contains(fragment)
            }
        }
    }

    @Test("purge as of a time past every period clears personal inputs and letters in chunks, keeps the rest")
    func purgeClearsPersonalData() async throws {
        try await MigratedDatabase.with { database in
            let letters = FileManager.default.temporaryDirectory.appendingPathComponent("purge-\(UUID().uuidString)")
            defer { try? FileManager.default.removeItem(at: letters) }
            try await Self.seed(database.pool, batch: "a", count: 7, letters: letters)
            // One letter already gone: recorded, not an error.
            try FileManager.default.removeItem(at: letters.appendingPathComponent("a-3.pdf"))
            let early = try await Purger(
                database: database.configuration,
                options: .init(asOf: Self.finished.addingTimeInterval(86_400), dryRun: true)
            ).purge()
            #expect(early.total(.personalInputs) == 0, "30 days have not passed yet")

            var options = Purger.Options(asOf: Self.finished.addingTimeInterval(31 * 86_400), dryRun: true)
            options.chunkSize = 3
            let dry = try await Purger(database: database.configuration, options: options).purge()
            #expect(dry.outcome == .dryRun && dry.purged[.personalInputs] == ["a": 7])
            #expect(dry.purged[.yotiSessions] == ["a": 7] && dry.total(.results) == 0)
            #expect(try await Self.personalRows(database.pool) == 8, "a dry run changes nothing")

            options.dryRun = false
            let deleter = RecordingDeleter()
            let report = try await Purger(database: database.configuration, options: options, deleter: deleter).purge()
            #expect(report.outcome == .completed && report.exitCode == 0)
            #expect(report.purged[.personalInputs] == ["a": 7])
            #expect(report.lettersDeleted == 6 && report.lettersMissing == 1)
            #expect(try FileManager.default.contentsOfDirectory(atPath: letters.path).isEmpty)
            #expect(try await Self.personalRows(database.pool) == 1, "only the pending row keeps its spec")
            #expect(deleter.calls.count == 7 && report.remoteDeletes["deleted"] == 7)
            #expect(report.overdueRows == 0)
            let kept = try await database.pool.query(
                """
                SELECT count(*) AS n, count(personal_data_purged_at) AS purged, count(result_outcome) AS results,
                       count(remote_deleted_at) AS gone, count(session_id) AS sessions
                FROM idv.verification_requests WHERE status = 'expired'
                """)[0]
            #expect(try kept.decode(Int.self, "n") == 7 && kept.decode(Int.self, "purged") == 7)
            #expect(try kept.decode(Int.self, "results") == 7, "results are kept: never by default")
            #expect(try kept.decode(Int.self, "gone") == 7 && kept.decode(Int.self, "sessions") == 7)
            let run = try await database.pool.query(
                "SELECT kind, exit_code, details->>'personal_inputs' AS n FROM idv.runs WHERE kind = 'purge'")
            #expect(
                try run.count == 1 && run[0].decode(String.self, "n") == "7"
                    && run[0].decode(Int.self, "exit_code") == 0)
            let again = try await Purger(database: database.configuration, options: options, deleter: deleter).purge()
            #expect(again.total(.personalInputs) == 0 && deleter.calls.count == 7)
        }
    }

    @Test("a letter that cannot be deleted fails that row's purge with the reason; the rest carries on")
    func undeletableLetter() async throws {
        try await MigratedDatabase.with { database in
            let letters = FileManager.default.temporaryDirectory.appendingPathComponent("purge-\(UUID().uuidString)")
            defer { try? FileManager.default.removeItem(at: letters) }
            try await Self.seed(database.pool, batch: "a", count: 2, letters: letters)
            // A path that cannot be unlinked whoever runs the test (root included): a directory.
            let path = letters.appendingPathComponent("a-2-undeletable").path
            try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
            try await database.pool.execute(
                "UPDATE idv.verification_requests SET letter_path = $1 WHERE external_ref = 'ref-2'", [.text(path)])
            var options = Purger.Options(asOf: Self.finished.addingTimeInterval(31 * 86_400))
            options.policy.yotiSessions = .never
            let report = try await Purger(database: database.configuration, options: options).purge()
            #expect(report.purged[.personalInputs] == ["a": 1] && report.failures.count == 1)
            #expect(report.failures.first?.reason.isEmpty == false && report.exitCode == 1)
            #expect(try await Self.personalRows(database.pool) == 2, "the failed row and the pending row keep theirs")
            #expect(!report.render().contains(path))
        }
    }

    @Test("a held batch is skipped and named; release lets the next purge take it; both are recorded")
    func legalHold() async throws {
        try await MigratedDatabase.with { database in
            let letters = FileManager.default.temporaryDirectory.appendingPathComponent("purge-\(UUID().uuidString)")
            defer { try? FileManager.default.removeItem(at: letters) }
            try await Self.seed(database.pool, batch: "a", count: 2, letters: letters)
            try await Self.seed(database.pool, batch: "b", count: 3, letters: letters)
            let hold = LegalHold(pool: database.pool)
            await #expect(throws: OperationError.self) {
                _ = try await hold.hold(batchID: "b", by: .init(name: "dpo"))
            }
            await #expect(throws: OperationError.self) {
                _ = try await hold.hold(batchID: "nope", by: .init(name: "dpo", reason: "litigation"))
            }
            let held = try await hold.hold(batchID: "b", by: .init(name: "dpo", reason: "litigation 42"))
            #expect(held.changed && held.rowsWithPersonalData == 4)
            #expect(try await !hold.hold(batchID: "b", by: .init(name: "x", reason: "y")).changed)

            var options = Purger.Options(asOf: Self.finished.addingTimeInterval(31 * 86_400))
            options.policy.yotiSessions = .never
            let report = try await Purger(database: database.configuration, options: options).purge()
            #expect(report.purged[.personalInputs] == ["a": 2])
            #expect(
                report.held.map(\.batchID) == ["b"] && report.render().contains("skipped batch b: under legal hold"))
            #expect(report.overdueRows == 0, "held rows are not overdue")

            let released = try await hold.release(batchID: "b", by: .init(name: "dpo"))
            #expect(released.changed && released.heldBy == "dpo" && released.reason == "litigation 42")
            let next = try await Purger(database: database.configuration, options: options).purge()
            #expect(next.purged[.personalInputs] == ["b": 3] && next.held.isEmpty)
            let actions = try await database.pool.query(
                "SELECT action, actor, reason FROM idv.batch_actions WHERE batch_id = 'b' ORDER BY id")
            #expect(try actions.map { try $0.decode(String.self, "action") } == ["hold", "release"])
        }
    }

    @Test("a purged failed row is not rerun: rerun says why; a 409 session stays requested for the next purge")
    func rerunRefusedAndConflictsWait() async throws {
        try await MigratedDatabase.with { database in
            try await database.pool.execute(
                """
                INSERT INTO idv.verification_requests (batch_id, external_ref, session_spec, status, error_class, updated_at)
                VALUES ('f', 'x', '{}', 'failed', 'permanent', now())
                """)
            try await database.pool.execute(
                """
                INSERT INTO idv.verification_requests (batch_id, external_ref, session_spec, status, session_id, token_expires_at)
                VALUES ('f', 'y', '{}', 'cancelled', 'busy-session', $1)
                """, [.timestamp(Self.finished)])
            var options = Purger.Options(asOf: Date().addingTimeInterval(40 * 86_400))
            options.policy.personalInputs = .after(seconds: 0)
            let deleter = RecordingDeleter(conflicts: ["busy-session"])
            let report = try await Purger(database: database.configuration, options: options, deleter: deleter).purge()
            #expect(report.purged[.personalInputs] == ["f": 2] && report.remoteDeletes["conflict"] == 1)
            let waiting = try await database.pool.query(
                """
                SELECT remote_delete_requested_at IS NOT NULL AS requested, remote_deleted_at IS NULL AS kept
                FROM idv.verification_requests WHERE external_ref = 'y'
                """)[0]
            #expect(try waiting.decode(Bool.self, "requested") && waiting.decode(Bool.self, "kept"))
            await #expect {
                _ = try await Rerunner(pool: database.pool).requeue(batchID: "f", filter: RerunFilter())
            } throws: { error in
                (error as? OperationError)?.message.contains("cannot be rerun") == true
            }
        }
    }

    @Test(
        "erase removes one person's data everywhere, deletes every known session, records a receipt; unknown refs change nothing"
    )
    func erase() async throws {
        try await MigratedDatabase.with { database in
            let letters = FileManager.default.temporaryDirectory.appendingPathComponent("erase-\(UUID().uuidString)")
            defer { try? FileManager.default.removeItem(at: letters) }
            try await Self.seed(database.pool, batch: "a", count: 3, letters: letters)
            try await Self.seed(database.pool, batch: "b", count: 1, letters: letters)
            // ref-1 of batch a had an earlier session (reissued) and a ledger entry, and a stored notification.
            try await database.pool.execute(
                """
                UPDATE idv.verification_requests
                SET previous_sessions = '[{"session_id": "old-session"}]'::jsonb
                WHERE batch_id = 'a' AND external_ref = 'ref-1'
                """)
            try await database.pool.execute(
                """
                INSERT INTO idv.attempts (request_id, batch_id, started_at, session_id, operation)
                SELECT id, batch_id, now(), 'ledger-session', 'create_session'
                FROM idv.verification_requests WHERE batch_id = 'a' AND external_ref = 'ref-1'
                """)
            try await database.pool.execute(
                """
                INSERT INTO idv.notifications (session_id, topic, body, processed_at)
                VALUES ('sess-a-1', 'session_completion', '{"given": "CanaryGiven"}', now())
                """)
            let eraser = Eraser(pool: database.pool, deleter: RecordingDeleter())
            let unknown = Eraser.Request(batchID: "a", refs: ["ref-1", "nobody"], requester: .init(name: "dpo"))
            await #expect {
                _ = try await eraser.erase(unknown)
            } throws: { error in
                (error as? OperationError)?.code == .usage
                    && (error as? OperationError)?.message.contains("nobody") == true
            }
            #expect(try await Self.personalRows(database.pool) == 6, "an unknown ref changes nothing")

            _ = try await LegalHold(pool: database.pool).hold(batchID: "a", by: .init(name: "dpo", reason: "claim"))
            var request = Eraser.Request(
                batchID: "a", refs: ["ref-1"], requester: .init(name: "dpo", reason: "request 7"))
            await #expect(throws: OperationError.self) { _ = try await eraser.erase(request) }
            request.overrideHold = true
            request.dryRun = true
            let dry = try await eraser.erase(request)
            #expect(
                dry.rows.count == 1 && dry.sessions.map(\.sessionID) == ["ledger-session", "old-session", "sess-a-1"])
            #expect(try await Self.personalRows(database.pool) == 6, "a dry run changes nothing")

            request.dryRun = false
            let deleter = RecordingDeleter()
            let receipt = try await Eraser(pool: database.pool, deleter: deleter).erase(request)
            #expect(receipt.exitCode == 0 && receipt.overrideHold && receipt.id != nil)
            #expect(deleter.calls == ["ledger-session", "old-session", "sess-a-1"])
            #expect(receipt.rows.first?.letter == "deleted" && receipt.rows.first?.notificationsCleared == 1)
            #expect(!FileManager.default.fileExists(atPath: letters.appendingPathComponent("a-1.pdf").path))
            #expect(FileManager.default.fileExists(atPath: letters.appendingPathComponent("a-2.pdf").path))
            #expect(try await Self.personalRows(database.pool) == 5, "only ref-1 of batch a")
            let row = try await database.pool.query(
                """
                SELECT status, session_id, personal_data_purged_at IS NOT NULL AS purged, remote_delete_status,
                       (SELECT count(*) FROM idv.attempts) AS ledger,
                       (SELECT body::text FROM idv.notifications) AS body,
                       (SELECT details::text FROM idv.erasures) AS details
                FROM idv.verification_requests WHERE batch_id = 'a' AND external_ref = 'ref-1'
                """)[0]
            #expect(try row.decode(String.self, "status") == "expired" && row.decode(Bool.self, "purged"))
            #expect(try row.decode(String.self, "remote_delete_status") == "deleted")
            #expect(try row.decode(Int.self, "ledger") == 1 && row.decode(String.self, "body") == "{}")
            let details = try row.decode(String.self, "details")
            #expect(!details.contains("Canary") && !details.contains("canary") && !details.contains(letters.path))
            #expect(!receipt.render().contains("Canary") && receipt.render().contains("request 7"))

            // --ref across batches: ref-1 of batch b too (a is still held: override again).
            var across = Eraser.Request(batchID: nil, refs: ["ref-1"], requester: .init(name: "dpo"))
            across.overrideHold = true
            let second = try await Eraser(pool: database.pool, deleter: nil).erase(across)
            #expect(second.rows.map(\.batchID) == ["a", "b"])
            #expect(try await Self.personalRows(database.pool) == 4)
        }
    }
}
