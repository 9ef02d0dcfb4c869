import Foundation

extension BatchStatusReport {
    /// The report as a table a person can read: one block per batch.
    package func render() -> String {
        guard !batches.isEmpty else {
            return "No batches yet: enqueue rows with `idv-batch enqueue --batch ID FILE` (or INSERT them)."
        }
        return batches.map { $0.render() }.joined(separator: "\n\n")
    }
}

extension BatchStatusReport.Batch {
    func render() -> String {
        var lines = ["Batch \(batchID)" + (registeredAt.map { " (registered \($0))" } ?? "") + (note.map { ": \($0)" } ?? "")]
        let states: [(String, Int)] = [
            ("pending", rows.pending), ("in_progress", rows.inProgress), ("created", rows.created),
            ("failed", rows.failed), ("expired", rows.expired), ("cancelled", rows.cancelled), ("total", rows.total),
        ]
        lines.append("  " + states.map { $0.0.padding(toLength: max($0.0.count, 9), withPad: " ", startingAt: 0) }.joined(separator: " "))
        lines.append(
            "  " + states.map { "\($0.1)".padding(toLength: max($0.0.count, 9), withPad: " ", startingAt: 0) }.joined(separator: " "))
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
                let rate = run.sessionsPerSecond.map { String(format: ", %.1f sessions/s", $0) } ?? ""
                lines.append(
                    "    #\(run.id) \(run.kind)\(scope) \(run.startedAt), \(duration)\(rate), exit "
                        + "\(run.exitCode.map(String.init) ?? "-"): \(run.rowsCreated) created, \(run.rowsFailed) failed, "
                        + "\(run.rowsRetried) retried")
            }
        }
        if !reruns.isEmpty {
            lines.append("  reruns (latest first):")
            for rerun in reruns {
                let filters = rerun.filters.map { " \($0.jsonString())" } ?? ""
                let run = rerun.runID.map { id in
                    " → run #\(id)" + (rerun.runDurationSeconds.map { String(format: " (%.1f s", $0) } ?? " (unfinished")
                        + (rerun.runSessionsPerSecond.map { String(format: ", %.1f sessions/s)", $0) } ?? ")")
                } ?? " (not run yet)"
                lines.append(
                    "    #\(rerun.id) \(rerun.requestedAt) by \(rerun.requestedBy ?? "?"): "
                        + "\(rerun.rowsRequeued.map(String.init) ?? "?") rows\(filters)\(run)")
            }
        }
        return lines.joined(separator: "\n")
    }
}

extension BatchStatusReport.FollowThroughCounts {
    /// Every `instructions_status`, in flow order.
    static let stateNames = ["pending", "configured", "sent", "letter_saved", "emailed", "failed", "not_needed"]
}
