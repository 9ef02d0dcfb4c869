import Foundation

/// What one `idv-batch expire` did (or, with `--dry-run`, would do).
package struct ExpirySweepReport: Sendable, Hashable {
    /// How the sweep ended.
    package struct Outcome: Sendable, Hashable, CustomStringConvertible {
        fileprivate enum Base: String, Sendable, Hashable {
            case completed, dryRun = "dry run", anotherSweepRunning = "another sweep is running"
            case credentialsRejected = "credentials rejected"
            case interrupted
        }
        fileprivate let base: Base

        /// Every due row expired; remote deletes (if asked) tried.
        package static let completed = Outcome(base: .completed)
        /// Counts only; nothing changed.
        package static let dryRun = Outcome(base: .dryRun)
        /// Another sweep holds the lock; this one did nothing (exit 0).
        package static let anotherSweepRunning = Outcome(base: .anotherSweepRunning)
        /// Yoti refused the credentials during remote deletes; the sweep stopped (exit 3).
        package static let credentialsRejected = Outcome(base: .credentialsRejected)
        /// SIGINT/SIGTERM: the chunk or deletes in flight finished, the run was recorded; the rest waits for
        /// the next sweep (exit 130, or 143 for SIGTERM).
        package static let interrupted = Outcome(base: .interrupted)

        package var description: String { base.rawValue }
    }

    package var outcome: Outcome
    /// The moment tokens were compared against (`--as-of`, else the database's `now()`).
    package var asOf: Date?
    /// Rows moved `created` → `expired` with their token cleared (dry run: rows due).
    package var expired: Int
    /// Whether remote deletion was requested.
    package var deleteRemote: Bool
    /// Sessions deleted at Yoti now (dry run: sessions that would be tried).
    package var remoteDeleted: Int
    /// Sessions Yoti no longer had (404), counted as deleted.
    package var remoteAlreadyGone: Int
    /// Deletes answered 409 (checks unfinished): tried again on a later sweep.
    package var remoteConflicts: Int
    /// Deletes that failed transiently (5xx, 429, network): tried again on a later sweep.
    package var remoteTransient: Int
    /// Deletes refused for another reason (recorded as `failed`, not retried automatically).
    package var remoteFailed: Int
    /// Tokens cleared of rows sync saw COMPLETED at Yoti (rows stay `created`).
    package var completedTokensCleared = 0
    /// Deletes not tried because sync saw the session ONGOING with unfinished checks
    /// (`remote_delete_status = 'deferred_ongoing'`); a later sweep tries them once sync sees them finished.
    package var remoteSkippedOngoing = 0
    /// `idv.runs.id` of this sweep (`nil` for dry runs and skipped sweeps).
    package var runID: Int64?
    /// What to do about a credentials failure.
    package var detail: String?
    package var duration: Duration

    /// Deletes left for a later sweep.
    package var remoteDeferred: Int { remoteConflicts + remoteTransient }

    /// Set by the sweeper for an interrupted sweep: 130, or 143 when the signal was SIGTERM.
    package var interruptedExitCode: Int32 = 130

    /// 0 unless the credentials were rejected (3) or the sweep was interrupted (130/143).
    package var exitCode: Int32 {
        switch outcome {
        case .credentialsRejected: return 3
        case .interrupted: return interruptedExitCode
        default: return 0
        }
    }

    /// A few lines for the operator (and cron's mail).
    package func render() -> String {
        let when = asOf.map { " as of \(StatusTime.format($0))" } ?? ""
        switch outcome {
        case .anotherSweepRunning:
            return "Another expiry sweep is running (it holds the sweep lock); this one did nothing."
        case .dryRun:
            var line = "Dry run\(when): \(expired) created rows have expired tokens and would be marked expired"
            if deleteRemote { line += "; \(remoteDeleted) sessions would be deleted at Yoti" }
            return line + ". Nothing was changed."
        default:
            var lines = ["Expiry sweep \(runID.map(String.init) ?? "-")\(when): \(outcome)"]
            lines.append("  expired now: \(expired) rows (tokens cleared)")
            if completedTokensCleared > 0 {
                lines.append("  completed at Yoti (per sync): \(completedTokensCleared) tokens cleared")
            }
            if remoteSkippedOngoing > 0 {
                lines.append(
                    "  not deleted: \(remoteSkippedOngoing) sessions ongoing at Yoti with unfinished checks (per sync); "
                        + "deleted by a sweep after a sync sees them finished")
            }
            if deleteRemote {
                lines.append(
                    "  remote: \(remoteDeleted + remoteAlreadyGone) deleted (\(remoteAlreadyGone) already gone), "
                        + "\(remoteDeferred) deferred (\(remoteConflicts) checks unfinished, \(remoteTransient) transient), "
                        + "\(remoteFailed) failed")
            }
            if let detail { lines.append("  \(detail)") }
            if outcome == .interrupted {
                lines.append(
                    "  interrupted: what was done is recorded; run the sweep again to finish (it is safe to repeat)")
            }
            lines.append(String(format: "  took %.1f s", duration.secondsDouble))
            return lines.joined(separator: "\n")
        }
    }
}
