import Foundation
import IDVLogging
import IDVRunner
import Logging
import SystemSupport

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// Writes a metrics exposition (e.g. Prometheus text) to a file for node_exporter's textfile collector,
/// atomically, through ``AtomicFile``: the text goes to a new temporary file of a random name in the same
/// directory (opened `O_EXCL | O_NOFOLLOW`, so in a directory other users share nobody can plant a symlink
/// that makes the job truncate a file of their choosing), is fsynced, then renamed over `PATH`: a reader
/// sees the old file or the new one, never half of one.
///
/// The exposition comes from `render` (the backend's serialiser), so this type knows no backend.
package struct MetricsFileWriter: Sendable {
    /// Where the metrics go.
    package let path: String
    private let render: @Sendable () -> [UInt8]

    /// A writer of `render()`'s bytes to `path`.
    package init(path: String, render: @escaping @Sendable () -> [UInt8]) {
        self.path = path
        self.render = render
    }

    /// How the temporary file a write goes through starts: `.<name>.<pid>.`, then a random part and `.tmp`
    /// (hidden, and not `*.prom`, so node_exporter never reads one).
    var temporaryPrefix: String { ".\((path as NSString).lastPathComponent).\(getpid())." }

    /// Writes the current metrics once, to check at start-up that the path is usable.
    /// - Throws: ``OperationError`` `.usage` (exit 2) naming the path, the system's reason and what to do.
    package func prepare() async throws {
        do {
            try await write()
        } catch let error as MetricsFileWriteError {
            throw OperationError(
                code: .usage,
                message: "Cannot write the metrics file \(path) (\(error)). Check that the directory exists and "
                    + "this user may create files in it (for node_exporter, its --collector.textfile.directory), "
                    + "or leave out --metrics-file.")
        }
    }

    /// Writes the current metrics atomically, on a thread of its own (an fsync may block for long).
    /// - Throws: ``MetricsFileWriteError`` saying which step failed; `PATH` is then left as it was.
    package func write() async throws {
        try await offCooperativePool { try self.writeBlocking() }
    }

    private func writeBlocking() throws {
        do {
            try AtomicFile.write(render(), to: path, mode: 0o644, temporaryPrefix: temporaryPrefix)
        } catch let error as AtomicFileError {
            throw MetricsFileWriteError(step: error.step, reason: error.reason)
        }
    }

    /// Writes every `interval` until the task is cancelled; a failed write is logged and retried next time.
    package func writePeriodically(every interval: Duration, logger: Logger) async {
        while true {
            do { try await Task.sleep(for: interval) } catch { return }
            do {
                try await write()
            } catch {
                logger.warning(
                    "Could not write the metrics file", metadata: [LogKey.path: "\(path)", LogKey.error: "\(error)"])
            }
        }
    }
}

/// A failed metrics file write: the step and the system's reason (`strerror`).
package struct MetricsFileWriteError: Error, Sendable, CustomStringConvertible {
    /// What was being done (`create /var/lib/…/idv.prom.123.tmp`).
    package var step: String
    /// The system's reason.
    package var reason: String

    init(step: String, reason: String) {
        self.step = step
        self.reason = reason
    }

    package var description: String { "could not \(step): \(reason)" }
}
