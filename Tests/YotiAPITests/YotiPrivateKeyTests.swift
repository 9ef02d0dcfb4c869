import Foundation
import TestSupport
import Testing
import YotiAPI

#if canImport(Glibc)
    import Glibc
#endif

@Suite("Private key loading")
struct YotiPrivateKeyTests {
    /// A case of a key file that must be refused, with the expected code.
    struct BadKey: Sendable, CustomStringConvertible {
        var file: String
        var code: YotiKeyError.Code
        var description: String { "\(file) -> \(code)" }
    }

    static let badKeys: [BadKey] = [
        BadKey(file: "keys/does-not-exist.pem", code: .missing),
        BadKey(file: "keys", code: .unreadable),
        BadKey(file: "keys/encrypted-pkcs8.pem", code: .encrypted),
        BadKey(file: "keys/encrypted-pkcs1.pem", code: .encrypted),
        BadKey(file: "keys/ec-pkcs8.pem", code: .notRSA),
        BadKey(file: "keys/ec-sec1.pem", code: .notRSA),
        BadKey(file: "keys/ed25519.pem", code: .notRSA),
        BadKey(file: "keys/public.pem", code: .malformed),
        BadKey(file: "keys/truncated.pem", code: .malformed),
        BadKey(file: "keys/garbage.pem", code: .malformed),
        BadKey(file: "keys/rsa-1024.pem", code: .malformed),
    ]

    @Test("loads the PKCS#1 SDK test key and its PKCS#8 form", arguments: ["pkcs1", "pkcs8"])
    func loadsBothEncodings(form: String) throws {
        let path = form == "pkcs1" ? SharedPaths.sdkTestKeyPath : TestFixtures.path("keys/sdk-test-pkcs8.pem")
        let key = try YotiPrivateKey(contentsOfFile: path)
        #expect(key.keySizeInBits == 2048)
        #expect(key.publicKeyPEM.hasPrefix("-----BEGIN PUBLIC KEY-----"))
        let expectedPublic = try String(contentsOfFile: TestFixtures.path("keys/public.pem"), encoding: .utf8)
        #expect(
            key.publicKeyPEM.trimmingCharacters(in: .whitespacesAndNewlines)
                == expectedPublic.trimmingCharacters(in: .whitespacesAndNewlines))
    }

    @Test("refuses bad key files with a code, naming the file, without key material", arguments: badKeys)
    func refuses(bad: BadKey) throws {
        let path = TestFixtures.path(bad.file)
        let error = try #require(throws: YotiKeyError.self) { try YotiPrivateKey(contentsOfFile: path) }
        #expect(error.code == bad.code)
        #expect(error.source == path)
        #expect(error.message.contains(path))
        try Self.expectNoKeyMaterial(in: "\(error)", from: path)
    }

    /// A copy of the SDK test key with `mode`.
    static func keyCopy(mode: mode_t) throws -> String {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("idv-key-\(UUID().uuidString).pem")
            .path
        try Data(contentsOf: URL(fileURLWithPath: SharedPaths.sdkTestKeyPath)).write(to: URL(fileURLWithPath: path))
        #expect(chmod(path, mode) == 0)
        return path
    }

    @Test(
        "owner-only required: a key file its group or others may read is refused, naming the file and chmod 600",
        arguments: [0o644, 0o640, 0o604, 0o444, 0o666] as [mode_t])
    func openKeyFileRefused(mode: mode_t) throws {
        let path = try Self.keyCopy(mode: mode)
        defer { try? FileManager.default.removeItem(atPath: path) }
        let error = try #require(throws: YotiKeyError.self) {
            try YotiPrivateKey(contentsOfFile: path, requireOwnerOnly: true)
        }
        #expect(error.code == .exposed)
        #expect(error.message.contains(path) && error.message.contains("chmod 600"))
        try Self.expectNoKeyMaterial(in: "\(error)", from: path)
    }

    @Test("owner-only required: a 0600 or 0400 key file is loaded", arguments: [0o600, 0o400] as [mode_t])
    func ownerOnlyKeyFileLoaded(mode: mode_t) throws {
        let path = try Self.keyCopy(mode: mode)
        defer { try? FileManager.default.removeItem(atPath: path) }
        #expect(try YotiPrivateKey(contentsOfFile: path, requireOwnerOnly: true).keySizeInBits == 2048)
    }

    @Test("description names the source but not the key")
    func descriptionIsRedacted() throws {
        let key = try YotiPrivateKey(contentsOfFile: SharedPaths.sdkTestKeyPath)
        #expect("\(key)".contains("sdk-test.pem"))
        try Self.expectNoKeyMaterial(in: "\(key)", from: SharedPaths.sdkTestKeyPath)
        try Self.expectNoKeyMaterial(in: String(reflecting: key), from: SharedPaths.sdkTestKeyPath)
    }

    /// No 16-character run of any base64 line of the file appears in `text`.
    static func expectNoKeyMaterial(in text: String, from path: String) throws {
        #expect(!text.contains("PRIVATE KEY-----"))
        guard let pem = try? String(contentsOfFile: path, encoding: .utf8) else { return }
        let lines = pem.split(separator: "\n").filter { !$0.hasPrefix("-----") && $0.count >= 16 && !$0.contains(":") }
        for line in lines {
            #expect(!text.contains(line.prefix(16)), "key material leaked")
        }
    }
}
