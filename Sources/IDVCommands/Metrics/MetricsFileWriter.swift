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
/// atomically: the text goes to `PATH.<pid>.tmp` in the same directory, is fsynced, then renamed over
/// `PATH`, so a reader sees the old file or the new one, never half of one (the pid keeps two
/// processes given the same path from writing into each other's temporary file).
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

    /// The temporary file a write goes through before the rename.
    var temporaryPath: String { "\(path).\(getpid()).tmp" }

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
        let bytes = render()
        let temporary = temporaryPath
        let descriptor = open(temporary, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
        guard descriptor >= 0 else { throw MetricsFileWriteError(step: "create \(temporary)") }
        var failure: MetricsFileWriteError?
        bytes.withUnsafeBytes { buffer in
            var offset = 0
            while offset < buffer.count {
                let written = systemWrite(descriptor, buffer.baseAddress! + offset, buffer.count - offset)
                if written < 0 {
                    if errno == EINTR { continue }
                    failure = MetricsFileWriteError(step: "write \(temporary)")
                    return
                }
                offset += written
            }
        }
        if failure == nil, fsync(descriptor) != 0 { failure = MetricsFileWriteError(step: "fsync \(temporary)") }
        close(descriptor)
        if failure == nil, rename(temporary, path) != 0 { failure = MetricsFileWriteError(step: "rename to \(path)") }
        if let failure {
            unlink(temporary)
            throw failure
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

    init(step: String) {
        self.step = step
        self.reason = String(cString: strerror(errno))
    }

    package var description: String { "could not \(step): \(reason)" }
}

/// write(2), named apart from ``MetricsFileWriter/write()``.
private func systemWrite(_ descriptor: Int32, _ bytes: UnsafeRawPointer, _ count: Int) -> Int {
    #if canImport(Glibc)
        Glibc.write(descriptor, bytes, count)
    #else
        Darwin.write(descriptor, bytes, count)
    #endif
}
