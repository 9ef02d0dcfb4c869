import Crypto
import Foundation
import Synchronization
import TestSupport
import Testing
import YotiAPI
import _CryptoExtras

/// The system-libcrypto signer against an independent implementation (swift-crypto's BoringSSL).
@Suite("Signing with the system libcrypto")
struct LibcryptoSigningTests {
    /// The SDK test key in swift-crypto, as an independent verifier.
    static func referencePublicKey() throws -> _RSA.Signing.PublicKey {
        try _RSA.Signing.PublicKey(
            pemRepresentation: try String(contentsOfFile: TestFixtures.path("keys/public.pem"), encoding: .utf8))
    }

    static func isValidForReference(_ digest: String, _ message: String, key: _RSA.Signing.PublicKey) throws -> Bool {
        let signature = try #require(Data(base64Encoded: digest))
        return key.isValidSignature(
            _RSA.Signing.RSASignature(rawRepresentation: signature), for: SHA256.hash(data: Array(message.utf8)),
            padding: .insecurePKCS1v1_5)
    }

    @Test("PKCS#1 and PKCS#8 PEM, from memory, sign every vector byte for byte", arguments: ["pkcs1", "pkcs8"])
    func bothFormatsFromMemory(form: String) throws {
        let path = form == "pkcs1" ? SharedPaths.sdkTestKeyPath : TestFixtures.path("keys/sdk-test-pkcs8.pem")
        let pem = try String(contentsOfFile: path, encoding: .utf8)
        #expect(pem.contains(form == "pkcs1" ? "BEGIN RSA PRIVATE KEY" : "BEGIN PRIVATE KEY"))
        let key = try YotiPrivateKey(pemRepresentation: pem)
        let reference = try Self.referencePublicKey()
        for vector in try TestFixtures.vectors() {
            let digest = try key.digest(of: vector.message)
            #expect(digest == vector.digest, "\(vector.name)")
            #expect(try Self.isValidForReference(digest, vector.message, key: reference), "\(vector.name)")
        }
    }

    @Test("swift-crypto verifies fresh signatures, which equal BoringSSL's own byte for byte")
    func crossVerification() throws {
        let pem = try String(contentsOfFile: SharedPaths.sdkTestKeyPath, encoding: .utf8)
        let key = try YotiPrivateKey(pemRepresentation: pem)
        let reference = try Self.referencePublicKey()
        let sandboxCheck = YotiPublicKey(privateKey: key)
        let boringKey = try _RSA.Signing.PrivateKey(pemRepresentation: pem)
        let signer = RequestSigner(sdkID: "sdk-id", key: key)
        for body in [nil, Array("{}".utf8), Array(repeating: UInt8(ascii: "x"), count: 10_000)] {
            let signed = try signer.sign(method: "POST", path: "/sessions", body: body)
            let message = RequestSignature.message(
                method: signed.method, pathAndQuery: signed.pathAndQuery, body: signed.body)
            #expect(try Self.isValidForReference(signed.digest, message, key: reference))
            #expect(sandboxCheck.isValidDigest(signed.digest, for: message))
            #expect(!sandboxCheck.isValidDigest(signed.digest, for: message + "&"))
            let boring = try boringKey.signature(
                for: SHA256.hash(data: Array(message.utf8)), padding: .insecurePKCS1v1_5)
            #expect(boring.rawRepresentation.base64EncodedString() == signed.digest, "PKCS#1 v1.5 is deterministic")
        }
    }

    @Test("64 tasks signing at once each get the right signature")
    func concurrentSigning() async throws {
        let key = try YotiPrivateKey(contentsOfFile: SharedPaths.sdkTestKeyPath)
        let verifier = YotiPublicKey(privateKey: key)
        let reference = try Self.referencePublicKey()
        let vectors = try TestFixtures.vectors()
        let results = try await withThrowingTaskGroup(of: (task: Int, failures: [String]).self) { group in
            for task in 0..<64 {
                group.addTask {
                    var failures: [String] = []
                    for round in 0..<8 {
                        // The vectors pin known answers; the per-task messages make each signature distinct.
                        let vector = vectors[(task + round) % vectors.count]
                        if try key.digest(of: vector.message) != vector.digest {
                            failures.append("task \(task) round \(round): wrong digest for vector \(vector.name)")
                        }
                        let message = "POST&/sessions?task=\(task)&round=\(round)"
                        let digest = try key.digest(of: message)
                        if !verifier.isValidDigest(digest, for: message) {
                            failures.append("task \(task) round \(round): the sandbox's check refuses the signature")
                        }
                        if try !Self.isValidForReference(digest, message, key: reference) {
                            failures.append("task \(task) round \(round): swift-crypto does not verify the signature")
                        }
                    }
                    return (task, failures)
                }
            }
            var all: [(task: Int, failures: [String])] = []
            for try await result in group { all.append(result) }
            return all
        }
        #expect(results.count == 64)
        #expect(results.flatMap(\.failures) == [])
    }

    @Test("32 threads outside the cooperative pool signing with one key at once get the right signatures")
    func threadedSigning() throws {
        // The pool is as wide as the machine (two threads here); plain threads put more signatures in flight.
        let key = try YotiPrivateKey(contentsOfFile: SharedPaths.sdkTestKeyPath)
        let vectors = try TestFixtures.vectors()
        let failures = Mutex<[String]>([])
        let group = DispatchGroup()
        for thread in 0..<32 {
            group.enter()
            Thread.detachNewThread {
                defer { group.leave() }
                for round in 0..<25 {
                    let vector = vectors[(thread + round) % vectors.count]
                    if (try? key.digest(of: vector.message)) != vector.digest {
                        failures.withLock {
                            $0.append("thread \(thread) round \(round): wrong digest for \(vector.name)")
                        }
                    }
                }
            }
        }
        group.wait()
        #expect(failures.withLock { $0 } == [])
    }

    /// The message the key loader gave before signing moved to libcrypto, for an unparseable RSA key.
    static func unparseableMessage(_ path: String) -> String {
        "the PEM block in \(path) could not be parsed as an RSA private key (damaged or truncated file?): download the key again from Yoti Hub"
    }

    @Test(
        "a key with one base64 character changed is refused with the same error as before",
        arguments: [80, 300, 500, 700, 900, 1_100, 1_300, 1_500, 1_600])
    func corruptKey(offset: Int) throws {
        var pem = Array(try String(contentsOfFile: SharedPaths.sdkTestKeyPath, encoding: .utf8))
        let header = try #require(pem.firstIndex(of: "\n")) + 1
        var index = header + offset
        while pem[index] == "\n" { index += 1 }
        pem[index] = pem[index] == "A" ? "B" : "A"
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent(
            "idv-signing-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let path = directory.appendingPathComponent("corrupt.pem").path
        try String(pem).write(toFile: path, atomically: true, encoding: .utf8)

        let error = try #require(throws: YotiKeyError.self) { try YotiPrivateKey(contentsOfFile: path) }
        #expect(error.code == .malformed)
        #expect(error.source == path)
        #expect(error.message == Self.unparseableMessage(path))
        try YotiPrivateKeyTests.expectNoKeyMaterial(in: "\(error)", from: path)
    }

    @Test("damaged and undersized keys keep their messages", arguments: ["truncated", "garbage", "rsa-1024"])
    func unchangedMessages(file: String) throws {
        let path = TestFixtures.path("keys/\(file).pem")
        let error = try #require(throws: YotiKeyError.self) { try YotiPrivateKey(contentsOfFile: path) }
        let expected: String
        switch file {
        case "truncated":
            expected = Self.unparseableMessage(path)
        case "garbage":
            expected = "\(path) is not a PEM private key (expected a BEGIN RSA PRIVATE KEY or BEGIN PRIVATE KEY block)"
        default:
            expected =
                "the RSA key in \(path) is shorter than 2048 bits; Yoti Hub keys are 2048 bits: use the key downloaded from Yoti Hub"
        }
        #expect(error.code == .malformed)
        #expect(error.message == expected)
    }

    @Test("the wrong key signs, but its digests do not verify against the application's public key")
    func wrongKey() throws {
        let other = try YotiPrivateKey(contentsOfFile: TestFixtures.path("keys/rsa-2048-other.pem"))
        let application = try YotiPublicKey(contentsOfFile: TestFixtures.path("keys/public.pem"))
        let reference = try Self.referencePublicKey()
        for vector in try TestFixtures.vectors() {
            let digest = try other.digest(of: vector.message)
            #expect(digest != vector.digest)
            #expect(!application.isValidDigest(digest, for: vector.message))
            #expect(try !Self.isValidForReference(digest, vector.message, key: reference))
            #expect(YotiPublicKey(privateKey: other).isValidDigest(digest, for: vector.message))
        }
    }
}
