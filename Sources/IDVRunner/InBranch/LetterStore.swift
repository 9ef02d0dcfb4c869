import Foundation
import Synchronization
import YotiAPI

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// Saves customer letters as `DIR/<batch>/<external_ref>.pdf`, atomically and privately.
///
/// A letter is personal data: files are created 0600 (directories 0700), written to a temporary file in
/// the same directory, fsynced, renamed over the final name and the directory fsynced — a crash leaves
/// either no letter or the whole letter, never a truncated one. Names come from the batch id and the
/// external reference through ``safeName(_:)``, so `/` or `..` in them can never leave `DIR`.
struct LetterStore: Sendable {
    /// What was saved.
    struct Saved: Sendable, Hashable {
        var path: String
        var bytes: Int
        var sha256: String
    }

    /// A failure to save (the message names the path, never the letter's content).
    struct SaveError: Error, CustomStringConvertible {
        var description: String
    }

    let directory: URL

    /// The path a letter of `externalRef` in `batch` is saved at.
    func path(batch: String, externalRef: String) -> URL {
        directory.appendingPathComponent(Self.safeName(batch), isDirectory: true)
            .appendingPathComponent(Self.safeName(externalRef) + ".pdf", isDirectory: false)
    }

    /// A file name made of `[A-Za-z0-9._-]` only, never starting with `.`; when anything had to be
    /// replaced, a short digest of the original keeps distinct names distinct (`a/b` and `a_b`).
    static func safeName(_ name: String) -> String {
        let allowed = Set("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789._-")
        var safe = String(name.prefix(120).map { allowed.contains($0) ? $0 : "_" })
        if safe.hasPrefix(".") { safe = "_" + safe.dropFirst() }
        if safe.isEmpty || safe != name {
            safe += "~" + SHA256Hex.hex(Array(name.utf8)).prefix(10)
        }
        return safe
    }

    /// Saves `letter`, replacing an earlier one of the same row.
    /// - Throws: ``SaveError``.
    func save(_ letter: [UInt8], batch: String, externalRef: String) throws -> Saved {
        let final = path(batch: batch, externalRef: externalRef)
        let folder = final.deletingLastPathComponent()
        do {
            try FileManager.default.createDirectory(
                at: folder, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
        } catch {
            throw SaveError(
                description: "could not create the letters directory \(folder.path): \(error.localizedDescription)")
        }
        Self.removeOrphans(in: folder)
        let temporary = folder.appendingPathComponent(Self.temporaryPrefix + "\(UUID().uuidString).tmp").path
        let fd = open(temporary, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o600)
        guard fd >= 0 else { throw SaveError(description: "could not create \(temporary): \(Self.errnoText())") }
        var written = 0
        let failure: String? = letter.withUnsafeBytes { buffer -> String? in
            while written < buffer.count {
                let result = write(fd, buffer.baseAddress! + written, buffer.count - written)
                if result < 0 {
                    if errno == EINTR { continue }
                    return "could not write \(temporary): \(Self.errnoText())"
                }
                written += result
            }
            return fsync(fd) == 0 ? nil : "could not fsync \(temporary): \(Self.errnoText())"
        }
        close(fd)
        if let failure {
            unlink(temporary)
            throw SaveError(description: failure)
        }
        guard rename(temporary, final.path) == 0 else {
            let text = Self.errnoText()
            unlink(temporary)
            throw SaveError(description: "could not rename the letter to \(final.path): \(text)")
        }
        let directoryFD = open(folder.path, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        if directoryFD >= 0 {
            _ = fsync(directoryFD)
            close(directoryFD)
        }
        return Saved(path: final.path, bytes: letter.count, sha256: SHA256Hex.hex(letter))
    }

    private static func errnoText() -> String { String(cString: strerror(errno)) }

    /// This process's temporary files: `.<host>.<pid>.<uuid>.tmp`, so a later process can tell whose they are.
    static let temporaryPrefix = ".\(safeName(ProcessInfo.processInfo.hostName)).\(getpid())."

    /// Folders this process has already cleaned.
    private static let cleaned = Mutex<Set<String>>([])

    /// Deletes temporary files in `folder` left by processes of this host that are gone (a `kill -9` while
    /// a letter was being written), once per folder and process. Files of live processes, and of other
    /// hosts sharing the directory, are left alone.
    static func removeOrphans(in folder: URL) {
        guard cleaned.withLock({ $0.insert(folder.path).inserted }) else { return }
        let host = "." + safeName(ProcessInfo.processInfo.hostName) + "."
        guard let names = try? FileManager.default.contentsOfDirectory(atPath: folder.path) else { return }
        for name in names where name.hasPrefix(host) && name.hasSuffix(".tmp") {
            guard let pid = pid_t(name.dropFirst(host.count).prefix { $0 != "." }), pid != getpid(),
                kill(pid, 0) != 0 && errno == ESRCH
            else { continue }
            unlink(folder.appendingPathComponent(name).path)
        }
    }
}
