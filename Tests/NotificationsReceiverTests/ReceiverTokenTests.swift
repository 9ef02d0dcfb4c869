import Foundation
import NotificationsReceiver
import Testing

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// Where the token comes from: the environment or an owner-only file, never shown in an error.
@Suite("Notifications receiver: the token")
struct ReceiverTokenTests {
    static let secret = "file-token-7d41aa93c2"

    /// A file holding the secret with `mode`.
    static func tokenFile(mode: mode_t) throws -> String {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("idv-token-\(UUID().uuidString)").path
        try (secret + "\n").write(toFile: path, atomically: false, encoding: .utf8)
        #expect(chmod(path, mode) == 0)
        return path
    }

    @Test(
        "a token file others may read (0644, 0640, 0604) is refused, naming the file and chmod 600, not the token",
        arguments: [0o644, 0o640, 0o604, 0o666] as [mode_t])
    func openFileRefused(mode: mode_t) throws {
        let path = try Self.tokenFile(mode: mode)
        defer { try? FileManager.default.removeItem(atPath: path) }
        let error = try #require(throws: ReceiverTokenError.self) {
            try ReceiverToken.load(file: path, environment: [:])
        }
        #expect(error.description.contains(path))
        #expect(error.description.contains("chmod 600"))
        #expect(!error.description.contains(Self.secret))
    }

    @Test("a 0600 or 0400 file is read, its final newline dropped", arguments: [0o600, 0o400] as [mode_t])
    func ownerOnlyFileAccepted(mode: mode_t) throws {
        let path = try Self.tokenFile(mode: mode)
        defer { try? FileManager.default.removeItem(atPath: path) }
        let token = try ReceiverToken.load(file: path, environment: [ReceiverToken.environmentVariable: "other"])
        #expect(token.matches(Array(Self.secret.utf8)))
        #expect(!"\(token)".contains(Self.secret))
    }

    @Test("the environment variable is used without a file; missing or empty is a clear error")
    func environment() throws {
        let token = try ReceiverToken.load(file: nil, environment: [ReceiverToken.environmentVariable: Self.secret])
        #expect(token.matches(Array(Self.secret.utf8)))
        let missing = try #require(throws: ReceiverTokenError.self) {
            try ReceiverToken.load(file: nil, environment: [:])
        }
        #expect(missing.description.contains(ReceiverToken.environmentVariable))
        #expect(missing.description.contains("--token-file"))
        #expect(throws: ReceiverTokenError.self) {
            try ReceiverToken.load(file: nil, environment: [ReceiverToken.environmentVariable: "  \n"])
        }
        let absent = try #require(throws: ReceiverTokenError.self) {
            try ReceiverToken.load(file: "/nonexistent/token", environment: [:])
        }
        #expect(absent.description.contains("/nonexistent/token"))
    }
}
