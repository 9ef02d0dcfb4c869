import Foundation

/// The end of a run, for people (``render()``) and for cron (``exitCode``).
package struct RunSummary: OperationReport, Hashable {
    /// Failed rows of one error class, with one of them as an example.
    package struct ErrorClass: Sendable, Hashable {
        package var name: String
        package var count: Int
        package var exampleID: Int64
        package var exampleExternalRef: String
        /// The example's `last_error` (never contains tokens or keys).
        package var exampleError: String?
    }

    /// `idv.runs.id` of this run.
    package var runID: Int64?
    /// The selection (`[]` = all batches).
    package var batches: [String]
    package var workerID: String
    package var stopReason: RunStopReason
    /// What the operator should know about the stop (e.g. which credential to check).
    package var stopDetail: String?
    /// docs/design.md's codes: 0 done, 1 some rows failed, 3 aborted, 4 deadline/budget with work left,
    /// 130 interrupted (the CLI reports 143 when the signal was SIGTERM).
    package var exitCode: Int32
    /// Rows of the selection per state, at the end.
    package var statusCounts: [String: Int]
    /// Rows of the selection flagged `possible_duplicate`.
    package var possibleDuplicates: Int
    package var errorClasses: [ErrorClass]
    /// Rows runnable at the start (pending or in progress).
    package var rowsAtStart: Int
    /// Rows still pending or in progress at the end.
    package var workLeft: Int
    /// Sessions this run created at Yoti (including any whose write-back lost its lease).
    package var sessionsCreated: Int
    package var rowsFailed: Int
    package var retriesScheduled: Int
    /// 429 answers this run received.
    package var rateLimited: Int
    /// Sends that waited for the shared rate limit or a 429 pause.
    package var rateLimitWaits: Int
    /// Calls whose outcome was unknown (timeouts, resets after sending, interruptions).
    package var unknownOutcomes: Int
    /// Rows claimed but released unsent (shutdown, abort, budget).
    package var released: Int
    /// Rows of dead workers this run put back to pending.
    package var leasesReclaimed: Int
    /// Results whose lease had been lost (recorded in the ledger only).
    package var leaseLost: Int
    package var callsStarted: Int
    package var claimRoundTrips: Int
    package var writeBackRoundTrips: Int
    package var duration: Duration
    /// Mean time of a call, signing included, as the runner saw it (`nil` when no call was made).
    package var meanCallSeconds: Double? = nil
    /// Values unknown in an open vocabulary this run sent anyway, one line per field and value.
    package var specWarnings: [String] = []
    /// The In-Branch follow-through that ran after creation (`nil`: none ran).
    package var followThrough: FollowThrough.Report? = nil

    /// Sessions created per second of the time spent creating them (``duration``; an In-Branch
    /// follow-through after it is not counted, as in `status`).
    package var throughput: Double {
        let seconds = duration.secondsDouble
        return seconds > 0 ? Double(sessionsCreated) / seconds : 0
    }

    /// A few lines a person can read at a glance.
    package func render() -> String {
        var lines: [String] = []
        let selection = batches.isEmpty ? "all batches" : "batch " + batches.joined(separator: ", ")
        lines.append("Run \(runID.map(String.init) ?? "-") on \(selection): \(stopReason) (exit \(exitCode))")
        if let stopDetail { lines.append("  \(stopDetail)") }
        let order = RequestStatus.allCases.map(\.rawValue)
        let states = (order + statusCounts.keys.filter { !order.contains($0) }.sorted())
            .compactMap { state in statusCounts[state].map { "\(state) \($0)" } }
        lines.append("  rows now: " + (states.isEmpty ? "none" : states.joined(separator: ", ")))
        lines.append(
            "  this run: \(sessionsCreated) sessions created, \(rowsFailed) failed, "
                + "\(retriesScheduled) retries scheduled, \(callsStarted) calls, "
                + String(format: "%.1f sessions/s over %.1f s creating", throughput, duration.secondsDouble)
                + (followThrough == nil ? "" : " (the In-Branch follow-through after it not counted)")
        )
        if !specWarnings.isEmpty {
            lines.append("  unknown values sent anyway (Yoti decides; --strict refuses them):")
            lines += specWarnings.map { "    \($0)" }
        }
        if possibleDuplicates > 0 {
            lines.append(
                "  possible duplicates: \(possibleDuplicates) rows may have more than one session at Yoti "
                    + "(see idv.attempts where possible_duplicate)"
            )
        }
        if rateLimited > 0 || rateLimitWaits > 0 {
            lines.append("  rate limit: \(rateLimited) answers 429, \(rateLimitWaits) waits for a slot")
        }
        if leasesReclaimed > 0 || leaseLost > 0 {
            lines.append(
                "  leases: \(leasesReclaimed) reclaimed from dead workers, \(leaseLost) results lost their lease")
        }
        if !errorClasses.isEmpty {
            lines.append("  failed rows by error class:")
            for errorClass in errorClasses {
                lines.append(
                    "    \(errorClass.name): \(errorClass.count) — e.g. row \(errorClass.exampleID) "
                        + "(\(errorClass.exampleExternalRef)): \(errorClass.exampleError ?? "no message")"
                )
            }
        }
        if workLeft > 0 {
            lines.append("  \(workLeft) rows are left pending or in progress: run again to continue")
        }
        if let followThrough { lines.append(followThrough.render()) }
        return lines.joined(separator: "\n")
    }
}
