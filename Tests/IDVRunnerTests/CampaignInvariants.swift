import Foundation
import PostgresClient
import Testing
import YotiSandbox

/// What every reliability campaign asserts at its end, whatever it injected:
///
/// 1. **No row lost**: the batch still has every row, and each one is `created` with its session,
///    `failed` with a reason and an error class, `pending` (runnable), `cancelled`/`expired`, or — only
///    while a worker may still hold it — `in_progress` under a lease that will expire.
/// 2. **Every session the sandbox created is in the attempt ledger**: by its session id, or — when its
///    answer never arrived (reset, stall, a killed worker) — as a finished attempt flagged
///    `possible_duplicate` for the same `user_tracking_id`; and the ledger names no session the sandbox
///    never made.
/// 3. **Every duplicate is flagged**: a `user_tracking_id` with n > 1 sessions at the sandbox has at
///    least n − 1 ledger attempts flagged `possible_duplicate`, and its row is flagged too.
enum CampaignInvariants {
    /// Checks the invariants for `batch` (the only batch the harness's sandbox served) and returns the
    /// campaign's figures for the README table.
    /// - Parameters:
    ///   - expectedRows: how many rows were enqueued.
    ///   - settled: `true` when no worker runs any more, so nothing may be `in_progress` and every ledger
    ///     attempt must be closed; `false` right after a worker died or gave up (its leases still run).
    ///   - announce: print the report line (the campaign table collects these).
    @discardableResult
    static func check(
        _ harness: RunnerHarness, batch: String, expectedRows: Int, settled: Bool = true,
        campaign: String, injected: String, announce: Bool = true
    ) async throws -> CampaignReport {
        let rows = try await harness.rows(batch: batch)
        let attempts = try await harness.attempts(batch: batch)
        let leases = try await leasedRows(harness, batch: batch)
        #expect(rows.count == expectedRows, "\(campaign): rows vanished or appeared")

        var lost: [RowSnapshot] = []
        for row in rows where !isAccountedFor(row, leased: leases.contains(row.id), settled: settled) {
            lost.append(row)
        }
        #expect(
            lost.isEmpty,
            "\(campaign): rows lost: \(lost.prefix(5).map { "\($0.id) \($0.status) \($0.lastError ?? "-")" })")
        if settled {
            #expect(
                attempts.allSatisfy { $0.finished }, "\(campaign): ledger attempts left open after every worker stopped"
            )
        }

        let sessions = harness.sandboxSessions()
        let remote = Set(sessions.map(\.id))
        let recorded = Set(attempts.compactMap(\.sessionID))
        #expect(recorded.isSubset(of: remote), "\(campaign): the ledger names sessions the sandbox never created")
        for row in rows where row.status == "created" {
            #expect(row.sessionID.map(remote.contains) == true, "\(campaign): row \(row.id) holds an unknown session")
        }
        // An attempt still open when a worker died counts as flagged: reclaiming its lease flags it.
        let flags = attempts.filter { $0.possibleDuplicate || (!settled && !$0.finished) }
        let flaggedByUser = Dictionary(grouping: flags) { $0.userTrackingID ?? "" }
        let flaggedWithoutSession = Dictionary(grouping: flags.filter { $0.sessionID == nil }) {
            $0.userTrackingID ?? ""
        }
        var unrecordedByUser: [String: Int] = [:]
        for session in sessions where !recorded.contains(session.id) {
            unrecordedByUser[session.userTrackingID ?? "", default: 0] += 1
        }
        for (user, count) in unrecordedByUser where flaggedWithoutSession[user]?.count ?? 0 < count {
            let ledger = attempts.filter { $0.userTrackingID == user }.map {
                "#\($0.id) \($0.outcome ?? "open") session \($0.sessionID ?? "-") write_back \($0.writeBack ?? "-")"
                    + " flagged \($0.possibleDuplicate)"
            }
            Issue.record("\(campaign): \(count) session(s) for \(user) are not in the ledger; its attempts: \(ledger)")
        }

        let rowByUser = Dictionary(attempts.map { ($0.userTrackingID ?? "", $0.requestID) }) { first, _ in first }
        let flaggedRows = Set(
            rows.filter { $0.possibleDuplicate || (!settled && $0.status == "in_progress") }.map(\.id))
        let perUser = harness.sandbox.stats().sessionsPerUserTrackingID.filter { $0.value > 1 }
        var observed = 0
        var flagged = 0
        for (user, count) in perUser {
            observed += count - 1
            let ledgerFlags = flaggedByUser[user]?.count ?? 0
            let rowFlagged = rowByUser[user].map(flaggedRows.contains) ?? false
            if ledgerFlags >= count - 1 && rowFlagged { flagged += count - 1 }
        }
        #expect(flagged == observed, "\(campaign): duplicates not flagged possible_duplicate")
        if announce && !perUser.isEmpty {
            let listed = perUser.sorted { $0.key < $1.key }.prefix(20).map { "\($0.key)×\($0.value)" }
            print(
                "campaign \(campaign): sessions per duplicated user_tracking_id: \(listed.joined(separator: ", "))"
                    + (perUser.count > 20 ? " … (\(perUser.count) users)" : ""))
        }
        let report = CampaignReport(
            campaign: campaign, injected: injected, rows: rows.count, lost: lost.count,
            duplicatesObserved: observed, duplicatesFlagged: flagged,
            sessions: sessions.count, statuses: Dictionary(grouping: rows, by: \.status).mapValues(\.count))
        if announce { print(report) }
        return report
    }

    /// Runs one more worker on the batch after the campaign's faults: it must finish it (exit 0, every
    /// row created). Returns its output for the secret scan.
    static func finishBatch(
        _ harness: RunnerHarness, batch: String, rows: Int, arguments: [String], name: String
    ) async throws -> (source: String, text: String) {
        let last = try await harness.startRun(batch: batch, arguments: arguments, name: name).wait()
        #expect(last.status == 0, "\(last.output.suffix(2_000))")
        #expect(try await harness.statusCounts(batch: batch) == ["created": rows])
        return ("final run", last.output)
    }

    /// Whether a row is safe: final with a reason, runnable, or still leased by a worker that may live.
    private static func isAccountedFor(_ row: RowSnapshot, leased: Bool, settled: Bool) -> Bool {
        switch row.status {
        case "created": row.sessionID != nil && row.clientSessionToken != nil
        case "failed": row.lastError?.isEmpty == false && row.errorClass != nil
        case "pending", "cancelled", "expired": true
        case "in_progress": !settled && leased
        default: false
        }
    }

    /// Ids of the batch's rows under a lease (an owner and an expiry): they become runnable when it runs out.
    private static func leasedRows(_ harness: RunnerHarness, batch: String) async throws -> Set<Int64> {
        let rows = try await harness.pool.query(
            """
            SELECT id FROM idv.verification_requests
            WHERE batch_id = $1 AND status = 'in_progress' AND lease_expires_at IS NOT NULL AND lease_token IS NOT NULL
            """, [.text(batch)])
        return Set(try rows.map { try $0.decode(Int64.self, "id") })
    }
}

/// One line of the campaign table: what was injected, and what came out.
struct CampaignReport: Sendable, CustomStringConvertible {
    var campaign: String
    var injected: String
    var rows: Int
    var lost: Int
    var duplicatesObserved: Int
    var duplicatesFlagged: Int
    var sessions: Int
    var statuses: [String: Int]

    /// A Markdown table row, prefixed so `jobs/campaigns/run-long.sh` can collect it.
    var description: String {
        let states = statuses.sorted { $0.key < $1.key }.map { "\($0.key) \($0.value)" }.joined(separator: ", ")
        return "CAMPAIGN-ROW | \(campaign) | \(injected) | \(rows) | \(lost) | \(duplicatesObserved) | "
            + "\(duplicatesFlagged) | \(sessions) sessions; \(states) |"
    }
}
