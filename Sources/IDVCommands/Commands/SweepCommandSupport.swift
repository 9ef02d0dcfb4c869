import Foundation
import IDVRunner
import Logging
import YotiAPI
import YotiClient

/// What the sweeping commands (`expire`, `purge`) do alike: read `--as-of` and `--request-timeout`, and run
/// the sweep under the signals and the metrics export, printing its report.
enum SweepCommandSupport {
    /// `--as-of` (or the job file's `as_of`) as a date; `nil` when neither is set.
    /// - Throws: ``CommandFailure`` (exit 2) for text that is not an RFC 3339 time.
    static func asOf(_ text: String?) throws -> Date? {
        guard let text else { return nil }
        guard let date = RFC3339.date(from: text) else {
            throw CommandFailure(
                exitCode: 2, message: "--as-of \"\(text)\" is not an RFC 3339 time such as 2026-12-01T00:00:00Z")
        }
        return date
    }

    /// `--request-timeout` (or the job file's), in seconds; default 30.
    /// - Throws: ``CommandFailure`` (exit 2) unless positive.
    static func requestTimeout(_ flag: Double?, _ setting: Double?) throws -> Double {
        let timeout = flag ?? setting ?? 30
        guard timeout > 0 else { throw CommandFailure(exitCode: 2, message: "--request-timeout must be positive") }
        return timeout
    }

    /// Runs `sweep` inside the metrics export: SIGINT/SIGTERM let the chunk or deletes in flight finish, the run
    /// is recorded (`idv.runs.finished_at`), the metrics file is written and the command exits 130/143 (the
    /// sweep reads them from `signals`); a second signal cancels what is in flight. Prints the report, shuts
    /// the client down, and returns the report's exit code.
    static func run<Report: Sendable>(
        export: MetricsExport, logger: Logger, signals: SignalState,
        recordExitCode: @escaping @Sendable (Int32) -> Void,
        client: IDVClient?, render: @escaping @Sendable (Report) -> (text: String, exitCode: Int32),
        _ sweep: @escaping @Sendable () async throws -> Report
    ) async throws -> Int32 {
        let outcome = await Result(catching: {
            try await export.around(logger: logger, exitCode: recordExitCode) {
                let scoped = await SignalScope.run(mode: .graceful, logger: logger, observing: signals, sweep)
                let (text, exitCode) = render(try scoped.get())
                print(text)
                return exitCode
            }
        })
        try? await client?.shutdown()
        return try outcome.get()
    }
}
