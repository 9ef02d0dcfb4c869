import Foundation
import YotiAPI

extension BatchStatusReport {
    /// The report as a table a person can read: one block per batch.
    package func render() -> String {
        guard !batches.isEmpty else {
            return "No batches yet: enqueue rows with `idv-batch enqueue --batch ID FILE` (or INSERT them)."
        }
        return batches.map { $0.render() }.joined(separator: "\n\n")
    }

    /// Every batch as one line of a table (what `status` without a batch name prints): rows per state,
    /// whether it is paused, and its latest run; `render()` (a batch name) gives the details.
    package func renderOverview() -> String {
        guard !batches.isEmpty else { return render() }
        var table = [
            ["batch", "pending", "in_progress", "created", "failed", "expired", "cancelled", "total", "latest run"]
        ]
        for batch in batches {
            let rows = batch.rows
            table.append(
                [batch.batchID + (batch.pause == nil ? "" : " (paused)")]
                    + [
                        rows.pending, rows.inProgress, rows.created, rows.failed, rows.expired, rows.cancelled,
                        rows.total,
                    ]
                    .map(String.init)
                    + [batch.runs.first.map { "#\($0.id) \($0.kind) \($0.startedAt)" } ?? "-"])
        }
        let widths = table[0].indices.map { column in table.map { $0[column].count }.max() ?? 0 }
        var lines = table.map { cells in
            zip(cells, widths).map { $0.padding(toLength: $1, withPad: " ", startingAt: 0) }
                .joined(separator: "  ").trimmingCharacters(in: .whitespaces)
        }
        lines.append("")
        lines.append(
            "\(batches.count) \(batches.count == 1 ? "batch" : "batches"). The details of one (error classes, "
                + "sessions, runs, reruns, actions): `idv-batch status <batch-id>`; of all: `idv-batch status --json`.")
        return lines.joined(separator: "\n")
    }
}

extension BatchStatusReport.Batch {
    func render() -> String {
        var lines = [
            "Batch \(batchID)" + (registeredAt.map { " (registered \($0))" } ?? "") + (note.map { ": \($0)" } ?? "")
        ]
        let states: [(String, Int)] = [
            ("pending", rows.pending), ("in_progress", rows.inProgress), ("created", rows.created),
            ("failed", rows.failed), ("expired", rows.expired), ("cancelled", rows.cancelled), ("total", rows.total),
        ]
        lines.append(
            "  "
                + states.map { $0.0.padding(toLength: max($0.0.count, 9), withPad: " ", startingAt: 0) }.joined(
                    separator: " "))
        lines.append(
            "  "
                + states.map { "\($0.1)".padding(toLength: max($0.0.count, 9), withPad: " ", startingAt: 0) }.joined(
                    separator: " "))
        if let pause {
            lines.append(
                "  PAUSED since \(pause.at)" + (pause.by.map { " by \($0)" } ?? "")
                    + (pause.reason.map { ": \($0)" } ?? "")
                    + " — no worker claims its rows; `idv-batch resume \(batchID)` releases them")
        }
        lines.append(
            "  sessions: \(sessions.rowsWithSession) rows hold one, \(sessions.createdInLedger) created per the ledger, "
                + "\(sessions.remoteDeleted) deleted at Yoti; possible duplicates: \(possibleDuplicates)")
        if !followThrough.states.isEmpty {
            let counts = BatchStatusReport.FollowThroughCounts.stateNames.compactMap { state in
                followThrough.states[state].map { "\(state) \($0)" }
            }
            lines.append(
                "  In-Branch follow-through: " + counts.joined(separator: ", ")
                    + "; letters saved: \(followThrough.lettersSaved) (\(followThrough.letterBytes) bytes)")
        }
        if results.neverChecked + results.states.values.reduce(0, +) > 0 || results.notificationsReceived > 0 {
            lines.append(results.line)
        }
        if retries.scheduled > 0 {
            lines.append("  retries: \(retries.scheduled) scheduled, next at \(retries.nextAt ?? "-")")
        }
        if !errorClasses.isEmpty {
            lines.append("  failed rows by error class:")
            for errorClass in errorClasses {
                let example = errorClass.example
                let status = example.lastHTTPStatus.map { " HTTP \($0)" } ?? ""
                lines.append(
                    "    \(errorClass.name): \(errorClass.count) — e.g. row \(example.id) (\(example.externalRef))\(status): "
                        + (example.lastError ?? "no message"))
            }
        }
        if !runs.isEmpty {
            lines.append("  runs (latest first):")
            for run in runs {
                let scope = run.allBatches ? " [all batches]" : ""
                let duration = run.durationSeconds.map { String(format: "%.1f s", $0) } ?? "unfinished"
                let exit = "exit \(run.exitCode.map(String.init) ?? "-")"
                if run.kind == "expire" {
                    // A sweep creates no sessions: say what it did instead of a rate of zero.
                    let deleted = run.remoteDeleted.map { ", \($0) sessions deleted at Yoti" } ?? ""
                    lines.append(
                        "    #\(run.id) expire\(scope) \(run.startedAt), \(duration), \(exit): "
                            + "\(run.expired.map { "\($0) tokens expired" } ?? "unfinished")\(deleted)")
                    continue
                }
                if run.kind == "sync" {
                    // A sync fetches results and creates no sessions: no rate of zero.
                    lines.append("    #\(run.id) sync\(scope) \(run.startedAt), \(duration), \(exit)")
                    continue
                }
                lines.append(
                    "    #\(run.id) \(run.kind)\(scope) \(run.startedAt), \(duration)\(run.rateText), \(exit): "
                        + "\(run.rowsCreated) created, \(run.rowsFailed) failed, \(run.rowsRetried) retried")
            }
        }
        if !reruns.isEmpty {
            lines.append("  reruns (latest first):")
            for rerun in reruns {
                let filters = " " + Self.describe(filters: rerun.filters)
                let run =
                    rerun.runID.map { id in
                        " → run #\(id)"
                            + (rerun.runDurationSeconds.map { String(format: " (%.1f s", $0) } ?? " (unfinished")
                            + (rerun.runSessionsPerSecond.map { String(format: ", %.1f sessions/s)", $0) } ?? ")")
                    } ?? " (not run yet)"
                lines.append(
                    "    #\(rerun.id) \(rerun.requestedAt) by \(rerun.requestedBy ?? "?"): "
                        + "\(rerun.rowsRequeued.map(String.init) ?? "?") rows\(filters)\(run)")
            }
        }
        if !actions.isEmpty {
            lines.append("  operator actions (latest first):")
            for action in actions {
                lines.append(
                    "    \(action.at) \(action.action) by \(action.actor)" + (action.reason.map { ": \($0)" } ?? "")
                        + Self.describe(details: action.details))
            }
        }
        return lines.joined(separator: "\n")
    }

    /// A rerun's filters as words: "(all failed rows)", "(classes transient, rate_limited; HTTP 503)".
    static func describe(filters: JSONValue?) -> String {
        if filters?["expired"]?.boolValue == true {
            return "(expired rows reissued" + (filters?["max_sessions"]?.int64Value.map { ", at most \($0)" } ?? "")
                + ")"
        }
        let classes = filters?["error_classes"]?.arrayValue?.compactMap(\.stringValue) ?? []
        let statuses = filters?["http_statuses"]?.arrayValue?.compactMap { $0.int64Value.map { String($0) } } ?? []
        var parts: [String] = []
        if !classes.isEmpty { parts.append("classes " + classes.joined(separator: ", ")) }
        if !statuses.isEmpty { parts.append("HTTP " + statuses.joined(separator: ", ")) }
        return "(" + (parts.isEmpty ? "all failed rows" : parts.joined(separator: "; ")) + ")"
    }

    /// What an action did, from its details: " — 19 cancelled (pending 19), 1 held by a worker (skipped)".
    static func describe(details: JSONValue?) -> String {
        guard let details else { return "" }
        var parts: [String] = []
        if let cancelled = details["cancelled"]?.objectValue {
            let total = cancelled.values.compactMap(\.int64Value).reduce(0, +)
            let states = cancelled.sorted { $0.key < $1.key }.compactMap { key, value in
                value.int64Value.map { "\(key) \($0)" }
            }
            parts.append(
                "\(total) rows cancelled" + (states.isEmpty ? "" : " (" + states.joined(separator: ", ") + ")"))
        }
        if let skipped = details["skipped_in_flight"]?.int64Value, skipped > 0 {
            parts.append("\(skipped) held by a worker, skipped")
        }
        if let pending = details["pending_rows"]?.int64Value { parts.append("\(pending) rows pending") }
        if let reissued = details["reissued"]?.int64Value { parts.append("\(reissued) rows reissued") }
        return parts.isEmpty ? "" : " — " + parts.joined(separator: ", ")
    }
}

extension BatchStatusReport.FollowThroughCounts {
    /// Every `instructions_status`, in flow order.
    static let stateNames = InstructionsStatus.allCases.map(\.rawValue)
}

extension BatchStatusReport.ResultCounts {
    /// The table's results line: Yoti's states, recommendations and notifications.
    var line: String {
        "  results at Yoti: ongoing \(count("ONGOING")), completed \(count("COMPLETED")) (APPROVE "
            + "\(recommendations["APPROVE", default: 0]), REJECT \(recommendations["REJECT", default: 0]), NOT_AVAILABLE "
            + "\(recommendations["NOT_AVAILABLE", default: 0])), expired \(count("EXPIRED")), not found "
            + "\(count("NOT_FOUND")), never checked \(neverChecked); notifications: \(notificationsReceived) received, "
            + "\(notificationsPending) pending" + (lastCheckedAt.map { "; last sync \($0)" } ?? "")
    }
}

extension BatchStatusReport.Run {
    /// The rate as the run's own summary gives it: sessions per second of the time spent creating them
    /// (an In-Branch follow-through after that is in the duration, not in the rate).
    var rateText: String {
        guard let rate = sessionsPerSecond else { return "" }
        guard let creatingSeconds else { return String(format: ", %.1f sessions/s", rate) }
        return String(format: " in all, %.1f sessions/s over %.1f s creating", rate, creatingSeconds)
    }
}
