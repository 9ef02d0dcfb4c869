import IDVRunner
import PostgresClient
import YotiSandbox

/// What the demo's steps reported, what the database holds and what the sandbox saw, so the demo can
/// show that every row and every session is accounted for.
struct DemoFacts {
    /// Counts read from the database at the end.
    struct Database {
        var statusCounts: [String: Int]
        var tokensLeft: Int
        /// Distinct session ids in the attempt ledger.
        var ledgerSessions: Int
        /// User tracking ids with an attempt flagged `possible_duplicate`.
        var flaggedTrackingIDs: Set<String>

        var rows: Int { statusCounts.values.reduce(0, +) }

        static func read(pool: PostgresPool, batch: String) async throws -> Database {
            var counts: [String: Int] = [:]
            for row in try await pool.query(
                "SELECT status, count(*) AS n FROM idv.verification_requests WHERE batch_id = $1 GROUP BY status", [.text(batch)])
            {
                counts[try row.decode(String.self, "status")] = try row.decode(Int.self, "n")
            }
            let tokens = try await pool.query(
                "SELECT count(*) AS n FROM idv.verification_requests WHERE batch_id = $1 AND client_session_token IS NOT NULL",
                [.text(batch)])
            let ledger = try await pool.query(
                "SELECT count(DISTINCT session_id) AS n FROM idv.attempts WHERE batch_id = $1 AND session_id IS NOT NULL",
                [.text(batch)])
            let flagged = try await pool.query(
                "SELECT DISTINCT user_tracking_id FROM idv.attempts WHERE batch_id = $1 AND possible_duplicate AND user_tracking_id IS NOT NULL",
                [.text(batch)])
            return Database(
                statusCounts: counts,
                tokensLeft: try tokens.first?.decode(Int.self, "n") ?? 0,
                ledgerSessions: try ledger.first?.decode(Int.self, "n") ?? 0,
                flaggedTrackingIDs: Set(try flagged.map { try $0.decode(String.self, "user_tracking_id") }))
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
            lines.append(isBalanced ? "Everything adds up: no row lost, every session accounted for." : "Something does not add up: see MISMATCH above.")
            return lines.joined(separator: "\n")
        }
    }

    var enqueued: EnqueueReport
    var upstream: Int
    var firstRun: RunSummary
    var rerun: (requeued: Rerunner.Result, summary: RunSummary?)
    var sweep: ExpirySweepReport
    var database: Database
    var sandbox: SandboxStats

    func reconcile() -> Reconciliation {
        var checks: [Check] = []
        func check(_ holds: Bool, _ text: String) { checks.append(Check(holds: holds, text: text)) }

        let rows = enqueued.inserted + upstream
        check(
            database.rows == rows && enqueued.rejectedCount == DemoApplicants.brokenLines,
            "rows: \(enqueued.inserted) enqueued + \(upstream) from upstream = \(database.rows) in the batch "
                + "(\(enqueued.rejectedCount) broken lines rejected with their line numbers)")

        let firstFailed = firstRun.statusCounts["failed", default: 0]
        let firstCreated = firstRun.statusCounts["created", default: 0]
        check(
            firstCreated + firstFailed == rows && firstFailed >= upstream && firstRun.workLeft == 0,
            "first run: \(firstCreated) created + \(firstFailed) failed = \(firstCreated + firstFailed) rows, none left runnable")

        let rerunSummary = rerun.summary
        let rerunCreated = rerunSummary?.sessionsCreated ?? 0
        check(
            rerun.requeued.rowsRequeued == firstFailed && rerunCreated == firstFailed && (rerunSummary?.rowsFailed ?? 0) == 0,
            "rerun: \(rerun.requeued.rowsRequeued) requeued = \(firstFailed) failed; \(rerunCreated) created, "
                + "\(rerunSummary?.rowsFailed ?? 0) failed")

        let runSessions = firstRun.sessionsCreated + rerunCreated
        check(
            sandbox.sessionsCreated == database.ledgerSessions && database.ledgerSessions >= runSessions,
            "sessions: \(sandbox.sessionsCreated) created at the sandbox = \(database.ledgerSessions) in the ledger "
                + "(idv.attempts); the runs reported \(firstRun.sessionsCreated) + \(rerunCreated)")

        let duplicated = Set(sandbox.sessionsPerUserTrackingID.filter { $0.value > 1 }.keys)
        check(
            duplicated.isSubset(of: database.flaggedTrackingIDs),
            "duplicates: \(duplicated.count) applicants with more than one session at the sandbox, "
                + "\(duplicated.intersection(database.flaggedTrackingIDs).count) of them flagged possible_duplicate")

        let createdBeforeSweep = firstCreated + rerunCreated
        check(
            sweep.expired == createdBeforeSweep && database.tokensLeft == 0,
            "expiry: \(sweep.expired) expired = \(createdBeforeSweep) created; \(database.tokensLeft) client session tokens left in the table")

        check(
            database.statusCounts["expired", default: 0] == rows,
            "final: \(database.rows) rows, " + database.statusCounts.sorted { $0.key < $1.key }.map { "\($0.value) \($0.key)" }.joined(separator: ", "))
        return Reconciliation(checks: checks)
    }
}
