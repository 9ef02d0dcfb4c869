import IDVLogging
import Logging
import Synchronization
import YotiAPI

/// Values unknown in an open vocabulary that one run (or enqueue) has sent anyway: each is logged
/// once, at the first row that has it, and listed in the summary.
///
/// Shared by every task of the run, so the set is behind a `Mutex`.
package final class SpecWarnings: Sendable {
    private let seen = Mutex<[String: SessionSpecProblem]>([:])
    private let logger: Logger?

    /// - Parameter logger: where each new warning is logged (at `warning`); `nil` logs nothing.
    package init(logger: Logger? = nil) {
        self.logger = logger
    }

    /// Records warnings; logs those whose field and value this run has not seen yet.
    func record(_ warnings: [SessionSpecProblem]) {
        guard !warnings.isEmpty else { return }
        let new = seen.withLock { seen in
            warnings.filter { warning in
                let key = Self.key(warning)
                guard seen[key] == nil else { return false }
                seen[key] = warning
                return true
            }
        }
        for warning in new {
            logger?.warning(
                "Unknown value in the session spec, sent anyway (--strict refuses it)",
                metadata: ["spec.path": "\(warning.path)", "spec.value": "\(warning.value ?? "")"])
        }
    }

    /// One line per distinct field and value, sorted: `requested_tasks[].type: "X" is not one of …`.
    package var lines: [String] {
        seen.withLock { seen in
            seen.keys.sorted().map { key in
                let warning = seen[key]!
                return "\(warning.field): \(warning.message)"
            }
        }
    }

    private static func key(_ warning: SessionSpecProblem) -> String {
        "\(warning.field)\u{0}\(warning.value ?? warning.message)"
    }
}
