import Foundation
import IDVLogging
import Logging
import PostgresClient

/// `idv-batch sync`: fetches the results of the selection's sessions that need one, on the ``StepEngine``
/// with ``SessionResultStep``.
///
/// 1. Marks the rows that want a result (`result_priority`): rows named by a waiting notification (0,
///    fetched first), then rows holding a session not checked for `staleAfter` or never (1); a row whose
///    fetch failed for good waits `staleAfter` from that fetch too (unless notified). Never a row
///    whose state is final (COMPLETED, EXPIRED, NOT_FOUND), whose session was deleted, or which expired
///    and was already checked `staleAfter` past its token's expiry.
/// 2. Runs the step: leased, at the batch's shared rate, retried with backoff, every call in the ledger.
/// 3. Marks processed the waiting notifications nothing more can be learned from: their session was
///    checked after they arrived, or is final.
package struct ResultSync: Sendable {
    /// What one sync did.
    package struct Report: OperationReport, Hashable {
        package var stopReason: RunStopReason = .completed
        package var stopDetail: String?
        /// Rows marked for a fetch, notified and stale.
        package var wantedNotified = 0
        package var wantedStale = 0
        /// Results fetched this run (`GET` answered 200 or 404), by state.
        package var checkedByState: [String: Int] = [:]
        /// Completed sessions fetched this run, by overall recommendation.
        package var completedByRecommendation: [String: Int] = [:]
        /// Rows whose fetch failed for good this run (see `result_error`).
        package var failed = 0
        /// Calls made.
        package var calls = 0
        /// Rows still wanting a result at the end (retries not yet due, or left by a stop).
        package var workLeft = 0
        /// Notifications marked processed because their session was final or already checked after them.
        package var notificationsSettled = 0
        package var resultsStored = true

        /// Results fetched this run.
        package var checked: Int { checkedByState.values.reduce(0, +) }

        /// A few lines a person can read at a glance.
        package func render() -> String {
            var lines = ["Sync: \(stopReason) (exit \(exitCode))"]
            if let stopDetail { lines.append("  \(stopDetail)") }
            lines.append("  wanted: \(wantedNotified) notified, \(wantedStale) stale or never checked")
            let states = ["ONGOING", "COMPLETED", "EXPIRED", SessionResult.notFound]
            let other = checkedByState.filter { !states.contains($0.key) }.values.reduce(0, +)
            lines.append(
                "  checked \(checked): completed \(checkedByState["COMPLETED", default: 0]), ongoing "
                    + "\(checkedByState["ONGOING", default: 0]), expired \(checkedByState["EXPIRED", default: 0]), "
                    + "not found \(checkedByState[SessionResult.notFound, default: 0])"
                    + (other > 0 ? ", other \(other)" : ""))
            let recommendations = ["APPROVE", "REJECT", "NOT_AVAILABLE"]
            lines.append(
                "  completed by recommendation: "
                    + recommendations.map { "\($0) \(completedByRecommendation[$0, default: 0])" }.joined(
                        separator: ", "))
            lines.append("  failed \(failed), calls \(calls), left \(workLeft)")
            if failed > 0 {
                lines.append(
                    "  failed rows: see result_error; a sync tries them again once they are stale (--stale-after), "
                        + "or at once when Yoti notifies")
            }
            return lines.joined(separator: "\n")
        }

        /// 0 all done, 1 rows failed, 3 database/credentials, 4 deadline with work left, 130 interrupted.
        package var exitCode: Int32 {
            stopReason.exitCode(workLeft: workLeft, failedRows: failed, resultsStored: resultsStored)
        }
    }

    let configuration: RunnerConfiguration
    let database: any RunnerDatabase
    let fetcher: any SessionResultFetching
    let staleAfter: Duration
    let logger: Logger

    /// - Parameters:
    ///   - configuration: the selection, concurrency, rate, retries and deadline (its `maxSessions` budget
    ///     does not apply).
    ///   - staleAfter: rows not checked for this long are fetched again (notified rows always are).
    package init(
        configuration: RunnerConfiguration, database: any RunnerDatabase, fetcher: any SessionResultFetching,
        staleAfter: Duration, logger: Logger
    ) {
        var configuration = configuration
        configuration.maxSessions = nil
        self.configuration = configuration
        self.database = database
        self.fetcher = fetcher
        self.staleAfter = staleAfter
        self.logger = logger
    }

    /// Marks, runs and tallies. Never throws: problems are the stop reason.
    /// - Parameter runID: the `idv.runs` row the ledger attempts belong to.
    package func execute(runID: Int64?) async -> Report {
        var report = Report()
        let waiting: Int
        do {
            report.notificationsSettled = try await Self.settleNotifications(
                database: database, batches: configuration.batches)
            (report.wantedNotified, report.wantedStale) = try await Self.markWanted(
                database: database, batches: configuration.batches, staleAfter: staleAfter)
            // Also rows an earlier, interrupted sync marked.
            waiting = try await Self.wanted(database: database, batches: configuration.batches)
        } catch {
            report.stopReason = .databaseUnavailable
            report.stopDetail = "Could not select the rows to sync: \(error)"
            report.resultsStored = false
            return report
        }
        var logger = logger
        logger[metadataKey: "operation"] = "\(StepOperation.sessionResult)"
        if waiting > 0 {
            let step = SessionResultStep(fetcher: fetcher)
            let result = await StepEngine.runRegistered(
                step, configuration: configuration, database: database, runID: runID, total: 0, progress: nil,
                logger: logger)
            report.stopReason = result.stopReason
            report.stopDetail = result.stopDetail
            report.calls = result.counters.callsStarted
            report.failed = result.counters.failed
            report.resultsStored = result.resultsStored
            for (label, count) in result.counters.byLabel where label != "failed" {
                let parts = label.split(separator: ":", maxSplits: 1).map(String.init)
                report.checkedByState[parts[0], default: 0] += count
                if parts.count == 2 { report.completedByRecommendation[parts[1], default: 0] += count }
            }
        }
        do {
            report.notificationsSettled += try await Self.settleNotifications(
                database: database, batches: configuration.batches)
            report.workLeft = try await Self.wanted(database: database, batches: configuration.batches)
        } catch {
            report.resultsStored = false
            logger.error("Could not tally the sync", metadata: [LogKey.error: "\(error)"])
        }
        logger.info(
            "Sync finished",
            metadata: [
                "stop": "\(report.stopReason)", "checked": "\(report.checked)", "failed": "\(report.failed)",
                "calls": "\(report.calls)",
            ])
        return report
    }

    /// The condition (over `r`) of a row whose session may still change at Yoti; `$staleParameter` is the
    /// stale-after in seconds.
    static func openPredicate(staleParameter: Int) -> String {
        """
        r.session_id IS NOT NULL
              AND r.remote_deleted_at IS NULL
              AND (r.remote_state IS NULL OR r.remote_state <> ALL (ARRAY['COMPLETED', 'EXPIRED', '\(SessionResult.notFound)']))
              AND NOT (r.status = 'expired' AND r.token_expires_at IS NOT NULL
                       AND r.result_checked_at > r.token_expires_at + make_interval(secs => $\(staleParameter)))
        """
    }

    /// A notification still waiting for a sync (over `n`).
    static let waitingNotification = "(n.processed_at IS NULL OR n.processed_at < n.last_received_at)"

    /// Marks the selection's rows that want a result: 0 notified, 1 stale or never checked. Rows already
    /// marked keep their retry schedule; newly marked ones start with no attempts.
    /// - Returns: rows wanted (notified, stale), marked now or before (rows a dead worker still holds included).
    /// - Throws: `PostgresError`.
    static func markWanted(database: any RunnerDatabase, batches: [String], staleAfter: Duration) async throws -> (
        Int, Int
    ) {
        let rows = try await database.query(
            """
            WITH candidates AS (
                SELECT r.id, CASE WHEN EXISTS (SELECT 1 FROM idv.notifications n
                                               WHERE n.session_id = r.session_id AND \(waitingNotification))
                                  THEN 0 ELSE 1 END AS priority,
                       r.result_checked_at,
                       -- A row whose last fetch failed for good (result_error says why): when that fetch
                       -- started, per the ledger. It then waits staleAfter like a checked row instead of
                       -- being fetched again at every sync; a notification still brings it back at once.
                       CASE WHEN r.result_error IS NOT NULL AND r.result_priority IS NULL THEN
                           (SELECT max(a.started_at) FROM idv.attempts a
                            WHERE a.request_id = r.id AND a.operation = $3)
                       END AS failed_at
                FROM idv.verification_requests r
                WHERE \(openPredicate(staleParameter: 2))
                  AND \(selectionPredicate(column: "r.batch_id", parameter: 1))
            ), wanted AS (
                SELECT id, priority FROM candidates
                WHERE priority = 0 OR greatest(result_checked_at, failed_at) IS NULL
                   OR greatest(result_checked_at, failed_at) < now() - make_interval(secs => $2)
            ), marked AS (
                UPDATE idv.verification_requests r
                SET result_attempts = CASE WHEN r.result_priority IS NULL THEN 0 ELSE r.result_attempts END,
                    result_next_at = CASE WHEN r.result_priority IS NULL THEN NULL ELSE r.result_next_at END,
                    result_priority = w.priority,
                    updated_at = now()
                FROM wanted w
                WHERE r.id = w.id AND r.result_priority IS DISTINCT FROM w.priority
                RETURNING r.id
            )
            SELECT count(*) FILTER (WHERE priority = 0) AS notified,
                   count(*) FILTER (WHERE priority = 1) AS stale,
                   (SELECT count(*) FROM marked) AS marked
            FROM wanted
            """,
            [.textArray(batches), .double(staleAfter.secondsDouble), .text(StepOperation.sessionResult.rawValue)])
        return (try rows[0].decode(Int.self, "notified"), try rows[0].decode(Int.self, "stale"))
    }

    /// Rows of the selection wanting a result (or being fetched).
    static func wanted(database: any RunnerDatabase, batches: [String]) async throws -> Int {
        let rows = try await database.query(
            """
            SELECT count(*) AS n FROM idv.verification_requests r
            WHERE r.result_priority IS NOT NULL AND \(selectionPredicate(column: "r.batch_id", parameter: 1))
            """, [.textArray(batches)])
        return try rows[0].decode(Int.self, "n")
    }

    /// Marks processed the waiting notifications of the selection's sessions that were checked after they
    /// arrived, or whose state is final (nothing more to learn).
    /// - Returns: how many were marked.
    static func settleNotifications(database: any RunnerDatabase, batches: [String]) async throws -> Int {
        let rows = try await database.query(
            """
            WITH settled AS (
                UPDATE idv.notifications n
                SET processed_at = now()
                FROM idv.verification_requests r
                WHERE n.session_id = r.session_id AND \(waitingNotification)
                  AND r.lease_operation IS NULL
                  AND (r.result_checked_at >= n.last_received_at
                       OR r.remote_state = ANY (ARRAY['COMPLETED', 'EXPIRED', '\(SessionResult.notFound)'])
                       OR r.remote_deleted_at IS NOT NULL)
                  AND \(selectionPredicate(column: "r.batch_id", parameter: 1))
                RETURNING n.id
            )
            SELECT count(*) AS n FROM settled
            """, [.textArray(batches)])
        return try rows[0].decode(Int.self, "n")
    }
}
