import Foundation
import TestSupport
import Testing

/// `run` and `rerun` refuse a tracking-id key file they must not use, before touching the database.
@Suite("--tracking-id-key-file on the command line")
struct TrackingIDKeyCommandTests {
    @Test(
        "a key file others may read, or too short, is exit 2 naming the file and the fix, never the key",
        arguments: [(["run", "--dry-run"], 0o644), (["rerun", "some-batch"], 0o600)] as [([String], Int)])
    func refused(command: [String], mode: Int) async throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("tracking-key-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let path = folder.appendingPathComponent("tracking.key").path
        // Long enough when owner-only; the 0600 case writes a short one.
        let secret = mode == 0o600 ? "short-secret-xyz" : "0123456789abcdef0123456789abcdef-secret-xyz"
        try Data((secret + "\n").utf8).write(to: URL(fileURLWithPath: path))
        try FileManager.default.setAttributes([.posixPermissions: mode], ofItemAtPath: path)
        let result = try await IDVBatchProcess.run(
            command + ["--tracking-id-key-file", path], environment: ["DATABASE_URL": "postgres://127.0.0.1:1/none"])
        #expect(result.status == 2, "\(result.output)")
        #expect(result.output.contains("--tracking-id-key-file"))
        #expect(result.output.contains(path))
        #expect(result.output.contains(mode == 0o600 ? "openssl rand -hex 32" : "chmod 600"))
        #expect(!result.output.contains("secret-xyz"))
    }
}
