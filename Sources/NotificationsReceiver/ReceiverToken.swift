import Foundation

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// The shared secret Yoti sends with every notification (the session spec's `notifications.auth_token`).
///
/// It never appears in a description, a log line or an error: ``description`` is redacted, and the
/// errors of ``load(file:environment:)`` name the file or variable, never the value.
package struct ReceiverToken: Sendable, CustomStringConvertible {
    /// The token's bytes, compared in constant time.
    let bytes: [UInt8]

    /// The environment variable holding the token when no `--token-file` is given.
    package static let environmentVariable = "IDV_NOTIFICATIONS_TOKEN"

    /// A token from its text; leading and trailing white space (a file's final newline) is not part of it.
    /// - Throws: ``ReceiverTokenError`` `.empty` when nothing is left.
    package init(_ text: String, source: String) throws {
        let trimmed = text.trimmingCharacters(in: .whitespacesAndNewlines)
        guard !trimmed.isEmpty else { throw ReceiverTokenError(.empty, source: source) }
        bytes = Array(trimmed.utf8)
    }

    package var description: String { "ReceiverToken(redacted)" }

    /// The token from `file` when given (it must be readable by its owner only: mode 0600 or stricter),
    /// else from ``environmentVariable``.
    /// - Throws: ``ReceiverTokenError`` naming the file or variable and what to do.
    package static func load(
        file: String?, environment: [String: String] = ProcessInfo.processInfo.environment
    ) throws -> ReceiverToken {
        guard let file else {
            guard let text = environment[environmentVariable] else {
                throw ReceiverTokenError(.missing, source: environmentVariable)
            }
            return try ReceiverToken(text, source: environmentVariable)
        }
        var status = stat()
        guard stat(file, &status) == 0 else { throw ReceiverTokenError(.unreadable, source: file) }
        let mode = status.st_mode & 0o777
        guard mode & 0o077 == 0 else {
            throw ReceiverTokenError(.tooOpen(mode: mode), source: file)
        }
        guard let data = FileManager.default.contents(atPath: file), let text = String(data: data, encoding: .utf8)
        else { throw ReceiverTokenError(.unreadable, source: file) }
        return try ReceiverToken(text, source: file)
    }

    /// Whether `candidate` is the token, in time that depends on `candidate`'s length only.
    package func matches(_ candidate: some Collection<UInt8>) -> Bool {
        var difference = UInt8(truncatingIfNeeded: candidate.count ^ bytes.count)
        var index = 0
        for byte in candidate {
            difference |= byte ^ (bytes.isEmpty ? 0 : bytes[index % bytes.count])
            index += 1
        }
        return difference == 0 && candidate.count == bytes.count
    }
}

/// Why the receiver's token could not be loaded; the message names the source and never the value.
package struct ReceiverTokenError: Error, Sendable, CustomStringConvertible {
    /// What went wrong.
    package enum Reason: Sendable, Equatable {
        case missing, empty, unreadable
        /// The file's permission bits let its group or others read it.
        case tooOpen(mode: mode_t)
    }

    package let reason: Reason
    /// The file path or the environment variable's name.
    package let source: String

    init(_ reason: Reason, source: String) {
        self.reason = reason
        self.source = source
    }

    package var description: String {
        switch reason {
        case .missing:
            return "No notification token: set \(source) or pass --token-file PATH (a file of mode 0600 holding "
                + "the session spec's notifications.auth_token)."
        case .empty:
            return
                "The notification token in \(source) is empty: put the session spec's notifications.auth_token there."
        case .unreadable:
            return "Cannot read the token file \(source): check the path and that this user may read it."
        case .tooOpen(let mode):
            return "The token file \(source) has mode \(String(mode, radix: 8, uppercase: false).leftPadded(to: 4)): "
                + "others may read the secret. Run `chmod 600 \(source)` (owner read/write only) and start again."
        }
    }
}

extension String {
    fileprivate func leftPadded(to width: Int) -> String {
        String(repeating: "0", count: max(0, width - count)) + self
    }
}
