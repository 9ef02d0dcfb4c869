/// Why a run stopped: decides its exit code (docs/design.md) and what the summary tells a person.
package struct RunStopReason: Sendable, Hashable, CustomStringConvertible {
    fileprivate enum Base: String, Sendable, Hashable {
        case completed, interrupted, credentialsRejected, databaseUnavailable, deadlineReached, budgetReached,
            cancelled, paused
    }
    fileprivate let base: Base

    /// No runnable rows are left in the selection (retries due before the deadline were waited for).
    package static let completed = RunStopReason(base: .completed)
    /// A graceful shutdown was requested (SIGINT/SIGTERM): exit 130/143.
    package static let interrupted = RunStopReason(base: .interrupted)
    /// Yoti rejected the credentials (401/403): exit 3.
    package static let credentialsRejected = RunStopReason(base: .credentialsRejected)
    /// PostgreSQL could not be reached for long enough to give up: exit 3.
    package static let databaseUnavailable = RunStopReason(base: .databaseUnavailable)
    /// `--deadline` passed with work left: exit 4.
    package static let deadlineReached = RunStopReason(base: .deadlineReached)
    /// `--max-sessions` sessions were created with work left: exit 4.
    package static let budgetReached = RunStopReason(base: .budgetReached)
    /// The run's task was cancelled (a second signal): in-flight calls were abandoned.
    package static let cancelled = RunStopReason(base: .cancelled)
    /// Everything left in the selection belongs to a paused batch (`idv-batch pause`): exit 5.
    /// In-flight calls finished and were written back; `idv-batch resume` releases the rest.
    package static let paused = RunStopReason(base: .paused)

    package var description: String {
        switch base {
        case .completed: return "completed"
        case .interrupted: return "interrupted"
        case .credentialsRejected: return "credentials rejected"
        case .databaseUnavailable: return "database unavailable"
        case .deadlineReached: return "deadline reached"
        case .budgetReached: return "max-sessions budget reached"
        case .cancelled: return "cancelled"
        case .paused: return "batch paused"
        }
    }

    /// How long in-flight calls may finish after this stop before they are cancelled.
    func grace(configured: Duration) -> Duration {
        switch base {
        case .cancelled: return .zero
        // 401s come back fast; waiting longer only delays telling the operator.
        case .credentialsRejected: return min(configured, .seconds(5))
        default: return configured
        }
    }

    /// The exit code of a run that stopped for this reason.
    /// - Parameters:
    ///   - workLeft: rows of the selection still pending or in progress.
    ///   - failedRows: rows of the selection in state `failed`.
    package func exitCode(workLeft: Int, failedRows: Int) -> Int32 {
        switch base {
        case .credentialsRejected, .databaseUnavailable: return 3
        case .interrupted, .cancelled: return 130
        case .deadlineReached where workLeft > 0, .budgetReached where workLeft > 0: return 4
        case .paused: return 5
        default: return failedRows > 0 ? 1 : 0
        }
    }
}
