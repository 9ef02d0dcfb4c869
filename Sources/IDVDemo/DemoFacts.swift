import Foundation
import IDVRunner
import PostgresClient
import YotiAPI
import YotiSandbox

/// What the demo's steps reported, what the database holds and what the sandbox saw, so the demo can
/// show that every row and every session is accounted for.
struct DemoFacts {
    /// What only the database can say at the end, beyond `status`: tokens still stored, and which
    /// applicants have an attempt flagged `possible_duplicate`.
    struct Database {
        var tokensLeft: Int
        var flaggedTrackingIDs: Set<String>
        /// In-Branch rows of both batches (the nightly one, letters by email; the posted one, letters saved).
        var inBranchRows = 0
        /// Sessions of rows `emailed` (Yoti accepted the email request), and of rows `letter_saved`.
        var emailedSessions: [String] = []
        var savedSessions: [String] = []
        /// Of the saved letters, how many files exist with the size and SHA-256 the database recorded.
        var lettersOnDisk = 0
        /// Rows with an `ibv_email` attempt flagged `possible_duplicate` (the request may have gone twice).
        var flaggedEmails = 0

        static func read(pool: PostgresPool, batch: String, postedBatch: String) async throws -> Database {
            let tokens = try await pool.query(
                "SELECT count(*) AS n FROM idv.verification_requests WHERE batch_id = $1 AND client_session_token IS NOT NULL",
                [.text(batch)])
            let flagged = try await pool.query(
                "SELECT DISTINCT user_tracking_id FROM idv.attempts WHERE batch_id = $1 AND possible_duplicate AND user_tracking_id IS NOT NULL",
                [.text(batch)])
            var database = Database(
                tokensLeft: try tokens.first?.decode(Int.self, "n") ?? 0,
                flaggedTrackingIDs: Set(try flagged.map { try $0.decode(String.self, "user_tracking_id") }))
            for row in try await pool.query(
                """
                SELECT r.session_id, r.instructions_status, r.letter_path, r.letter_bytes, r.letter_sha256,
                       EXISTS (SELECT 1 FROM idv.attempts a WHERE a.request_id = r.id AND a.operation = 'ibv_email'
                               AND a.possible_duplicate) AS flagged
                FROM idv.verification_requests r
                WHERE r.batch_id = ANY ($1::text[]) AND r.instructions_status IS NOT NULL
                  AND r.instructions_status <> 'not_needed'
                """, [.textArray([batch, postedBatch])])
            {
                database.inBranchRows += 1
                let session = try row.decode(String?.self, "session_id") ?? ""
                if try row.decode(Bool.self, "flagged") { database.flaggedEmails += 1 }
                switch try row.decode(String?.self, "instructions_status") {
                case "emailed":
                    database.emailedSessions.append(session)
                case "letter_saved":
                    database.savedSessions.append(session)
                    guard let path = try row.decode(String?.self, "letter_path") else { continue }
                    let data = FileManager.default.contents(atPath: path)
                    if let data, Int64(data.count) == (try row.decode(Int64?.self, "letter_bytes")),
                        SHA256Hex.hex(Array(data)) == (try row.decode(String?.self, "letter_sha256"))
                    {
                        database.lettersOnDisk += 1
                    }
                default: continue
                }
            }
            return database
        }
    }

    /// What sync recorded: rows per Yoti state, completed rows per overall recommendation, and the inbox.
    struct Results {
        var byState: [String: Int] = [:]
        var completedByRecommendation: [String: Int] = [:]
        var notificationsStored = 0

        static func read(pool: PostgresPool, batches: [String]) async throws -> Results {
            var results = Results()
            for row in try await pool.query(
                """
                SELECT remote_state, result_recommendation, count(*)::int AS n FROM idv.verification_requests
                WHERE batch_id = ANY ($1::text[]) AND remote_state IS NOT NULL GROUP BY 1, 2
                """, [.textArray(batches)])
            {
                let state = try row.decode(String.self, "remote_state")
                let count = try row.decode(Int.self, "n")
                results.byState[state, default: 0] += count
                if state == "COMPLETED", let recommendation = try row.decode(String?.self, "result_recommendation") {
                    results.completedByRecommendation[recommendation, default: 0] += count
                }
            }
            results.notificationsStored =
                try await pool.query(
                    """
                    SELECT count(*)::int AS n FROM idv.notifications
                    WHERE session_id IN (SELECT session_id FROM idv.verification_requests WHERE batch_id = ANY ($1::text[]))
                    """, [.textArray(batches)]
                ).first?.decode(Int.self, "n") ?? 0
            return results
        }
    }

    /// One line of the check: what was compared, and whether it held.
    struct Check {
        var holds: Bool
        var text: String
    }

    /// The checks, in order.
    struct Reconciliation {
        var checks: [Check]
        var isBalanced: Bool { checks.allSatisfy(\.holds) }

        func render() -> String {
            var lines = ["Does it add up?"]
            lines += checks.map { ($0.holds ? "  ok        " : "  MISMATCH  ") + $0.text }
            lines.append(
                isBalanced
                    ? "Everything adds up: no row lost, every session accounted for."
                    : "Something does not add up: see MISMATCH above.")
            return lines.joined(separator: "\n")
        }
    }

    var enqueued: EnqueueReport
    var upstream: Int
    var firstRun: RunSummary
    var rerun: (requeued: Rerunner.Result, summary: RunSummary?)
    /// The posted batch: loaded and run with `--letters DIR`.
    var posted: (enqueued: EnqueueReport, summary: RunSummary)
    var sweep: ExpirySweepReport
    /// `status` of the batch at the end.
    var status: BatchStatusReport.Batch
    /// Sessions the posted batch's ledger holds.
    var postedSessions: Int
    var database: Database
    var sandbox: SandboxStats
    var sync: ResultSync.Report
    var results: Results

    func reconcile() -> Reconciliation {
        var checks: [Check] = []
        func check(_ holds: Bool, _ text: String) { checks.append(Check(holds: holds, text: text)) }

        let rows = enqueued.inserted + upstream
        check(
            status.rows.total == rows && enqueued.rejectedCount == DemoApplicants.brokenLines,
            "rows: \(enqueued.inserted) enqueued + \(upstream) from upstream = \(status.rows.total) in the batch "
                + "(\(enqueued.rejectedCount) broken lines rejected with their line numbers)")

        let firstFailed = firstRun.statusCounts["failed", default: 0]
        let firstCreated = firstRun.statusCounts["created", default: 0]
        check(
            firstCreated + firstFailed == rows && firstFailed >= upstream && firstRun.workLeft == 0,
            "first run: \(firstCreated) created + \(firstFailed) failed = \(firstCreated + firstFailed) rows, none left runnable"
        )

        let rerunSummary = rerun.summary
        let rerunCreated = rerunSummary?.sessionsCreated ?? 0
        check(
            rerun.requeued.rowsRequeued == firstFailed && rerunCreated == firstFailed
                && (rerunSummary?.rowsFailed ?? 0) == 0,
            "rerun: \(rerun.requeued.rowsRequeued) requeued = \(firstFailed) failed; \(rerunCreated) created, "
                + "\(rerunSummary?.rowsFailed ?? 0) failed")

        let runSessions = firstRun.sessionsCreated + rerunCreated
        let ledgerSessions = status.sessions.createdInLedger + postedSessions
        check(
            sandbox.sessionsCreated == ledgerSessions && status.sessions.createdInLedger >= runSessions
                && postedSessions >= posted.summary.sessionsCreated,
            "sessions: \(sandbox.sessionsCreated) created at the sandbox = \(ledgerSessions) in the ledger "
                + "(idv.attempts); the runs reported \(firstRun.sessionsCreated) + \(rerunCreated) + "
                + "\(posted.summary.sessionsCreated) posted")

        let duplicated = Set(sandbox.sessionsPerUserTrackingID.filter { $0.value > 1 }.keys)
        check(
            duplicated.isSubset(of: database.flaggedTrackingIDs),
            "duplicates: \(duplicated.count) applicants with more than one session at the sandbox, "
                + "\(duplicated.intersection(database.flaggedTrackingIDs).count) of them flagged possible_duplicate")

        // Letters per route: every In-Branch applicant gets one, by one route.
        let emailedOnce = database.emailedSessions.filter { sandbox.lettersEmailedPerSession[$0] == 1 }.count
        let savedUnemailed = database.savedSessions.filter { sandbox.lettersEmailedPerSession[$0] == nil }.count
        let delivered = database.emailedSessions.count + database.savedSessions.count
        let repeats = sandbox.lettersEmailed - database.emailedSessions.count
        check(
            database.inBranchRows > 0 && delivered == database.inBranchRows
                && posted.enqueued.inserted == database.savedSessions.count
                && database.emailedSessions.allSatisfy { sandbox.lettersEmailedPerSession[$0, default: 0] >= 1 }
                && (repeats == 0 || repeats <= database.flaggedEmails)
                && savedUnemailed == database.savedSessions.count
                && database.lettersOnDisk == database.savedSessions.count && sandbox.emailRequestsNotified == 0,
            "In-Branch letters: \(database.emailedSessions.count) emailed by Yoti on request (\(emailedOnce) emailed "
                + "exactly once at the sandbox, \(sandbox.lettersEmailed) emails in all) + "
                + "\(database.savedSessions.count) saved for the firm's mailer (\(database.lettersOnDisk) on disk with "
                + "the size and SHA-256 recorded, \(savedUnemailed) emailed by nobody) = \(delivered) of "
                + "\(database.inBranchRows) In-Branch rows")

        let sandboxCompleted = sandbox.completedByRecommendation.values.reduce(0, +)
        let recorded = results.completedByRecommendation
        let mix = ["APPROVE", "REJECT", "NOT_AVAILABLE"].map {
            "\($0) \(recorded[$0, default: 0])/\(sandbox.completedByRecommendation[$0, default: 0])"
        }
        check(
            sandboxCompleted > 0 && recorded == sandbox.completedByRecommendation
                && results.notificationsStored == sandbox.notificationsDelivered && sync.failed == 0,
            "results: \(results.byState["COMPLETED", default: 0]) completed at Yoti recorded = \(sandboxCompleted) the "
                + "sandbox completed (recorded/sandbox: \(mix.joined(separator: ", "))); "
                + "\(results.byState["ONGOING", default: 0]) ongoing, \(results.byState["EXPIRED", default: 0]) expired; "
                + "\(results.notificationsStored) notifications stored = \(sandbox.notificationsDelivered) delivered")

        let createdBeforeSweep = firstCreated + rerunCreated
        check(
            sweep.expired == createdBeforeSweep && database.tokensLeft == 0,
            "expiry: \(sweep.expired) expired = \(createdBeforeSweep) created; \(database.tokensLeft) client session tokens left in the table"
        )

        let final = status.rows
        check(
            final.expired == rows && final.total == rows,
            "final: \(final.total) rows: \(final.expired) expired, \(final.created) created, \(final.failed) failed, "
                + "\(final.pending + final.inProgress) runnable, \(final.cancelled) cancelled")
        return Reconciliation(checks: checks)
    }
}
