import Foundation
import IDVRunner
import Synchronization

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// A progress line on standard error, rewritten in place at most four times a second, only on a terminal.
final class TerminalProgress: Sendable {
    private let isTerminal = isatty(STDERR_FILENO) == 1
    private let lastShown = Mutex<ContinuousClock.Instant?>(nil)

    /// Shows the totals (throttled).
    func show(_ progress: Enqueuer.Progress) {
        guard isTerminal else { return }
        let now = ContinuousClock.now
        let due = lastShown.withLock { last in
            guard last.map({ now - $0 >= .milliseconds(250) }) ?? true else { return false }
            last = now
            return true
        }
        guard due else { return }
        let line =
            "\r\u{1B}[K\(progress.rowsRead) rows read: \(progress.inserted) inserted, "
            + "\(progress.alreadyPresent) already present, \(progress.rejected) rejected"
        FileHandle.standardError.write(Data(line.utf8))
    }

    /// Erases the line.
    func clear() {
        guard isTerminal, lastShown.withLock({ $0 != nil }) else { return }
        FileHandle.standardError.write(Data("\r\u{1B}[K".utf8))
    }
}
