import Foundation

/// The end of a run, for people (``render()``) and for cron (``exitCode``).
public struct RunSummary: Sendable, Hashable {
    /// Failed rows of one error class, with one of them as an example.
    public struct ErrorClass: Sendable, Hashable {
        public var name: String
        public var count: Int
        public var exampleID: Int64
        public var exampleExternalRef: String
        /// The example's `last_error` (never contains tokens or keys).
        public var exampleError: String?
    }

    /// `idv.runs.id` of this run.
    public var runID: Int64?
    /// The selection (`[]` = all batches).
    public var batches: [String]
    public var workerID: String
    public var stopReason: RunStopReason
    /// What the operator should know about the stop (e.g. which credential to check).
    public var stopDetail: String?
    /// design.md's codes: 0 done, 1 some rows failed, 3 aborted, 4 deadline/budget with work left,
    /// 130 interrupted (the CLI reports 143 when the signal was SIGTERM).
    public var exitCode: Int32
    /// Rows of the selection per state, at the end.
    public var statusCounts: [String: Int]
    /// Rows of the selection flagged `possible_duplicate`.
    public var possibleDuplicates: Int
    public var errorClasses: [ErrorClass]
    /// Rows runnable at the start (pending or in progress).
    public var rowsAtStart: Int
    /// Rows still pending or in progress at the end.
    public var workLeft: Int
    /// Sessions this run created at Yoti (including any whose write-back lost its lease).
    public var sessionsCreated: Int
    public var rowsFailed: Int
    public var retriesScheduled: Int
    /// 429 answers this run received.
    public var rateLimited: Int
    /// Sends that waited for the shared rate limit or a 429 pause.
    public var rateLimitWaits: Int
    /// Calls whose outcome was unknown (timeouts, resets after sending, interruptions).
    public var unknownOutcomes: Int
    /// Rows claimed but released unsent (shutdown, abort, budget).
    public var released: Int
    /// Rows of dead workers this run put back to pending.
    public var leasesReclaimed: Int
    /// Results whose lease had been lost (recorded in the ledger only).
    public var leaseLost: Int
    public var callsStarted: Int
    public var claimRoundTrips: Int
    public var writeBackRoundTrips: Int
    public var duration: Duration

    /// Sessions created per second of run time.
    public var throughput: Double {
        let seconds = duration.secondsDouble
        return seconds > 0 ? Double(sessionsCreated) / seconds : 0
    }

    /// A few lines a person can read at a glance.
    public func render() -> String {
        var lines: [String] = []
        let selection = batches.isEmpty ? "all batches" : "batch " + batches.joined(separator: ", ")
        lines.append("Run \(runID.map(String.init) ?? "-") on \(selection): \(stopReason) (exit \(exitCode))")
        if let stopDetail { lines.append("  \(stopDetail)") }
        let order = ["pending", "in_progress", "created", "failed", "expired", "cancelled"]
        let states = (order + statusCounts.keys.filter { !order.contains($0) }.sorted())
            .compactMap { state in statusCounts[state].map { "\(state) \($0)" } }
        lines.append("  rows now: " + (states.isEmpty ? "none" : states.joined(separator: ", ")))
        lines.append(
            "  this run: \(sessionsCreated) sessions created, \(rowsFailed) failed, "
                + "\(retriesScheduled) retries scheduled, \(callsStarted) calls, "
                + String(format: "%.1f sessions/s over %.1f s", throughput, duration.secondsDouble)
        )
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
            lines.append("  leases: \(leasesReclaimed) reclaimed from dead workers, \(leaseLost) results lost their lease")
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
        return lines.joined(separator: "\n")
    }
}
