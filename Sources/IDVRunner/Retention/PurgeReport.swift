import Foundation

/// What one `idv-batch purge` did (or, with `--dry-run`, would do). Counts, batch ids and row ids only:
/// never a personal value, never a letter's path.
package struct PurgeReport: Sendable, Hashable {
    /// How the purge ended.
    package enum Outcome: String, Sendable, Hashable, CustomStringConvertible {
        case completed
        case dryRun = "dry run"
        case anotherPurgeRunning = "another purge is running"
        case credentialsRejected = "credentials rejected"
        case interrupted

        package var description: String { rawValue }
    }

    /// A batch purge left alone because it is under legal hold.
    package struct HeldBatch: Sendable, Hashable {
        package var batchID: String
        package var heldBy: String?
        package var reason: String?
        /// Its rows still holding personal data.
        package var rowsWithPersonalData: Int
    }

    /// A row whose personal inputs could not be purged (its letter file could not be deleted).
    package struct RowFailure: Sendable, Hashable {
        package var rowID: Int64
        package var batchID: String
        /// The system's reason (`Permission denied`), never the path.
        package var reason: String
    }

    package var outcome: Outcome
    package var asOf: Date
    package var policy: RetentionPolicy
    /// Rows (notifications for `notifications`; sessions asked to be deleted for `yoti_sessions`) purged per
    /// kind and batch (dry run: due). Notifications whose session is on no row count under batch "".
    package var purged: [RetentionPolicy.Kind: [String: Int]] = [:]
    package var lettersDeleted = 0
    package var lettersMissing = 0
    package var failures: [RowFailure] = []
    package var held: [HeldBatch] = []
    /// Remote deletes by outcome (`deleted`, `not_found`, `conflict`, `transient`, `failed`).
    package var remoteDeletes: [String: Int] = [:]
    /// Sessions asked to be deleted that wait for Yoti credentials (purge ran without them).
    package var remoteWaitingForCredentials = 0
    /// Rows past their personal_inputs period and still holding personal data after the purge (held batches excluded).
    package var overdueRows = 0
    package var runID: Int64?
    package var detail: String?
    package var duration: Duration = .zero
    /// The exit code of an interrupted purge (130, or 143 after SIGTERM).
    package var interruptedExitCode: Int32 = 130

    /// Total of `kind` over all batches.
    package func total(_ kind: RetentionPolicy.Kind) -> Int { purged[kind, default: [:]].values.reduce(0, +) }

    /// 0 done; 1 some rows could not be purged; 3 Yoti rejected the credentials; 130/143 interrupted.
    package var exitCode: Int32 {
        switch outcome {
        case .credentialsRejected: 3
        case .interrupted: interruptedExitCode
        default: failures.isEmpty ? 0 : 1
        }
    }

    /// The report for people.
    package func render() -> String {
        var lines: [String] = []
        let stamp = RFC3339Text.string(asOf)
        switch outcome {
        case .anotherPurgeRunning:
            return "Another purge is running; this one changed nothing."
        case .dryRun:
            lines.append("Dry run: as of \(stamp), purge would remove (policy \(policy.summary)):")
        default:
            lines.append(
                "Purge as of \(stamp) (policy \(policy.summary))" + (runID.map { ", run \($0)" } ?? "") + ": \(outcome)"
            )
        }
        let nouns: [RetentionPolicy.Kind: String] = [
            .personalInputs: "rows' personal inputs", .results: "rows' recorded results",
            .notifications: "notification payloads", .yotiSessions: "sessions to delete at Yoti",
        ]
        for kind in RetentionPolicy.Kind.allCases {
            let byBatch = purged[kind, default: [:]]
            let total = byBatch.values.reduce(0, +)
            var line = "  \(kind.rawValue): \(total) \(nouns[kind] ?? "")"
            if policy[kind] == .never { line += " (kept: never purged)" }
            lines.append(line)
            for batch in byBatch.keys.sorted() where byBatch[batch, default: 0] > 0 {
                lines.append("    \(batch.isEmpty ? "(no row)" : batch): \(byBatch[batch, default: 0])")
            }
        }
        if outcome != .dryRun {
            lines.append("  letter files: \(lettersDeleted) deleted, \(lettersMissing) already missing")
            if !remoteDeletes.isEmpty {
                lines.append(
                    "  Yoti deletes: "
                        + remoteDeletes.keys.sorted().map { "\($0) \(remoteDeletes[$0, default: 0])" }.joined(
                            separator: ", ")
                        + " (conflict and transient are tried again by the next purge)")
            }
            if remoteWaitingForCredentials > 0 {
                lines.append(
                    "  \(remoteWaitingForCredentials) sessions wait to be deleted at Yoti: run purge with Yoti "
                        + "credentials (--sdk-id, --key-file)")
            }
        }
        for failure in failures {
            lines.append(
                "  row \(failure.rowID) (batch \(failure.batchID)) not purged: its letter file could not be deleted "
                    + "(\(failure.reason)); fix the file's permissions and run purge again")
        }
        for batch in held {
            lines.append(
                "  skipped batch \(batch.batchID): under legal hold"
                    + (batch.heldBy.map { " by \($0)" } ?? "") + (batch.reason.map { " (\($0))" } ?? "")
                    + "; \(batch.rowsWithPersonalData) rows keep their personal data until `idv-batch release "
                    + "\(batch.batchID)`")
        }
        if outcome != .dryRun { lines.append("  rows overdue after this purge: \(overdueRows)") }
        if let detail { lines.append("  \(detail)") }
        return lines.joined(separator: "\n")
    }
}

/// RFC 3339 text of an instant, UTC, whole seconds.
enum RFC3339Text {
    static func string(_ date: Date) -> String {
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withInternetDateTime]
        return formatter.string(from: date)
    }
}
