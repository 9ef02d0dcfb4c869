#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// Whether a file holding a secret (a private key) is readable by its owner only.
///
/// The rule is libpq's for client keys: a file owned by this process's user must give its group and others
/// nothing (0600, 0400); a file owned by root may also be readable by its group (0640, 0440), which is how
/// Kubernetes mounts a secret volume when the pod sets `fsGroup` (the files are root-owned, group fsGroup).
/// Anything writable by group or others, or readable by others, is refused.
package enum SecretFileMode {
    /// What is wrong with `path`'s permissions, or `nil` when they are fine or it is not a regular file that
    /// can be examined (reading it then reports the real problem: missing, a directory, not readable).
    /// - Returns: the file's permission bits when they are too open.
    package static func tooOpenMode(atPath path: String) -> mode_t? {
        var status = stat()
        guard stat(path, &status) == 0, status.st_mode & S_IFMT == S_IFREG else { return nil }
        let mode = status.st_mode & 0o777
        let allowed: mode_t = status.st_uid == 0 && getuid() != 0 ? 0o640 : 0o600
        return mode & ~allowed == 0 ? nil : mode
    }

    /// `mode` as four octal digits, e.g. `0644`.
    package static func octal(_ mode: mode_t) -> String {
        let text = String(mode, radix: 8)
        return String(repeating: "0", count: max(0, 4 - text.count)) + text
    }
}
