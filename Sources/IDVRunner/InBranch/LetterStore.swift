import Foundation
import Synchronization
import SystemSupport
import YotiAPI

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// Saves customer letters as `DIR/<batch>/<external_ref>.pdf`, atomically and privately.
///
/// A letter is personal data: files are created 0600 (directories 0700) through ``AtomicFile`` — a new
/// temporary file (random name, `O_EXCL | O_NOFOLLOW`) in the same directory, fsynced, renamed over the
/// final name and the directory fsynced — so a crash leaves either no letter or the whole letter, never a
/// truncated one. Names come from the batch id and the external reference through ``safeName(_:)``, so
/// `/` or `..` in them can never leave `DIR`, and two references never share a file.
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

    /// A file name made of `[A-Za-z0-9._-]` only, never starting with `.`, at most 185 characters.
    ///
    /// A name that needed no change is kept as it is. Otherwise (a character replaced, or longer than 120
    /// characters and cut) the whole SHA-256 of the original follows `~`: two different names can then
    /// only meet if SHA-256 collides, so one applicant's letter can never be saved over another's, however
    /// long or alike their references are (`a/b` and `a_b`; two refs sharing their first 120 characters).
    static func safeName(_ name: String) -> String {
        let allowed = Set("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789._-")
        var safe = String(name.prefix(120).map { allowed.contains($0) ? $0 : "_" })
        if safe.hasPrefix(".") { safe = "_" + safe.dropFirst() }
        if safe.isEmpty || safe != name {
            safe += "~" + SHA256Hex.hex(Array(name.utf8))
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
        do {
            try AtomicFile.write(letter, to: final.path, mode: 0o600, temporaryPrefix: Self.temporaryPrefix)
        } catch {
            throw SaveError(description: "\(error)")
        }
        return Saved(path: final.path, bytes: letter.count, sha256: SHA256Hex.hex(letter))
    }

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
