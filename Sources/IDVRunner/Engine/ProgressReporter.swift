import Foundation
import Logging

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// Shows progress while the run works: a live line on a terminal, a log line every few seconds otherwise.
package struct ProgressReporter: Sendable {
    /// Where the progress goes.
    package enum Mode: Sendable {
        /// A line rewritten in place on standard error, once a second.
        case liveLine
        /// An `info` log line every `interval`.
        case log(interval: Duration)
        case silent
    }

    let mode: Mode
    let counters: SharedStepCounters
    let clock: RunnerClock
    let logger: Logger
    /// The step's name before the counts (`ibv_instructions: …`); `nil` for session creation.
    var step: String? = nil
    /// What a success is called in the line (`created`, `sent`, `letter_saved`, …).
    var successWord = "created"
    let startedAt: Date

    /// A live line when standard error is a terminal, log lines otherwise.
    static func automaticMode(logInterval: Duration) -> Mode {
        isatty(STDERR_FILENO) == 1 ? .liveLine : .log(interval: logInterval)
    }

    /// A command's mode: ``automaticMode(logInterval:)``, or log lines when `allowsLiveLine` is `false`
    /// (JSON logs must not mix with a live line).
    package static func mode(allowsLiveLine: Bool, logInterval: Duration) -> Mode {
        allowsLiveLine ? automaticMode(logInterval: logInterval) : .log(interval: logInterval)
    }

    /// Reports until cancelled, then clears the live line.
    func run() async {
        let interval: Duration
        switch mode {
        case .silent: return
        case .liveLine: interval = .seconds(1)
        case .log(let every): interval = every
        }
        while true {
            do { try await clock.sleep(interval) } catch { break }
            report()
        }
        if case .liveLine = mode { FileHandle.standardError.write(Data("\r\u{1B}[K".utf8)) }
    }

    /// The words of one progress report.
    func line() -> String {
        let snapshot = counters.withLock { $0 }
        let elapsed = max(0.001, clock.now().timeIntervalSince(startedAt))
        let rate = Double(snapshot.done) / elapsed
        let remaining = max(0, snapshot.total - snapshot.done)
        let eta = rate > 0 ? Self.formatDuration(Double(remaining) / rate) : "?"
        return (step.map { "\($0): " } ?? "")
            + String(
                format: "%d/%d done (%d %@, %d failed), %.1f rows/s, ETA %@, %d errors, %d retries",
                snapshot.done, snapshot.total, snapshot.succeeded, successWord, snapshot.failed, rate, eta,
                snapshot.errors, snapshot.retriesScheduled
            )
    }

    private func report() {
        switch mode {
        case .silent: break
        case .liveLine: FileHandle.standardError.write(Data(("\r\u{1B}[K" + line()).utf8))
        case .log: logger.info("Progress", metadata: ["progress": "\(line())"])
        }
    }

    static func formatDuration(_ seconds: Double) -> String {
        let total = Int(seconds.rounded())
        if total >= 3600 { return "\(total / 3600)h\(String(format: "%02d", total % 3600 / 60))m" }
        if total >= 60 { return "\(total / 60)m\(String(format: "%02d", total % 60))s" }
        return "\(total)s"
    }
}
