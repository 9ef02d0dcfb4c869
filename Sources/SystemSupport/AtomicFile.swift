import Foundation

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// Replaces a file's content atomically, safely in a directory other users can write to.
///
/// The bytes go to a new temporary file in the same directory, named `<prefix><random>.tmp` and opened
/// with `O_CREAT | O_EXCL | O_NOFOLLOW`: a file or symlink planted at that name makes the write fail
/// instead of writing through it, and the random part means nobody can plant one in advance. The file is
/// fsynced, renamed over the final path (which replaces a symlink there rather than following it) and the
/// directory fsynced: a reader sees the old file or the whole new one, and a crash leaves one or the other.
///
/// Used for customer letters (mode 0600) and the metrics file (mode 0644). Blocking: call it off the
/// cooperative pool (``offCooperativePool(_:)``) from async code.
package enum AtomicFile {
    /// Writes `bytes` to `path` atomically, creating the file with `mode` (before the umask).
    /// - Parameters:
    ///   - temporaryPrefix: how the temporary file's name starts (e.g. `.letters.<host>.<pid>.`), so
    ///     leftovers of a killed process can be recognised; a random part and `.tmp` follow.
    /// - Throws: ``AtomicFileError`` naming the step and the system's reason; `path` is then unchanged
    ///   and the temporary file removed.
    package static func write(_ bytes: [UInt8], to path: String, mode: mode_t, temporaryPrefix: String) throws {
        let directory = (path as NSString).deletingLastPathComponent
        let folder = directory.isEmpty ? "." : directory
        let temporary = folder + "/" + temporaryPrefix + UUID().uuidString + ".tmp"
        let descriptor = open(temporary, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, mode)
        guard descriptor >= 0 else { throw AtomicFileError(step: "create \(temporary)") }
        var failure: AtomicFileError?
        bytes.withUnsafeBytes { buffer in
            var offset = 0
            while offset < buffer.count {
                let written = systemWrite(descriptor, buffer.baseAddress! + offset, buffer.count - offset)
                if written < 0 {
                    if errno == EINTR { continue }
                    failure = AtomicFileError(step: "write \(temporary)")
                    return
                }
                offset += written
            }
        }
        if failure == nil, fsync(descriptor) != 0 { failure = AtomicFileError(step: "fsync \(temporary)") }
        close(descriptor)
        if failure == nil, rename(temporary, path) != 0 { failure = AtomicFileError(step: "rename to \(path)") }
        if let failure {
            unlink(temporary)
            throw failure
        }
        // The rename is durable once the directory is; a failure here loses nothing already visible.
        let directoryDescriptor = open(folder, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        if directoryDescriptor >= 0 {
            _ = fsync(directoryDescriptor)
            close(directoryDescriptor)
        }
    }
}

/// A failed ``AtomicFile/write(_:to:mode:temporaryPrefix:)``: the step and the system's reason (`strerror`).
package struct AtomicFileError: Error, Sendable, CustomStringConvertible {
    /// What was being done (`create /var/lib/…/.idv.prom.1A2B….tmp`).
    package var step: String
    /// The system's reason.
    package var reason: String

    /// Captures `errno` now: create it right after the failed call.
    init(step: String) {
        self.step = step
        self.reason = String(cString: strerror(errno))
    }

    package var description: String { "could not \(step): \(reason)" }
}

/// write(2), named apart from anything called `write` in scope.
private func systemWrite(_ descriptor: Int32, _ bytes: UnsafeRawPointer, _ count: Int) -> Int {
    #if canImport(Glibc)
        Glibc.write(descriptor, bytes, count)
    #else
        Darwin.write(descriptor, bytes, count)
    #endif
}
