import Foundation
import TestSupport
import Testing
import YotiAPI

@Suite("Request signing")
struct RequestSignerTests {
    /// Reads `nonce` and `timestamp` back out of a vector's query so the signer can be pinned to them.
    static func signer(for vector: SigningVector, keyPath: String) throws -> RequestSigner {
        let fields = Dictionary(
            uniqueKeysWithValues: vector.query.split(separator: "&").map { pair -> (String, String) in
                let parts = pair.split(separator: "=", maxSplits: 1).map(String.init)
                return (parts[0], parts.count > 1 ? parts[1] : "")
            })
        let nonceText = try #require(fields["nonce"])
        let nonce = try #require(UUID(uuidString: nonceText))
        let millisText = try #require(fields["timestamp"])
        let millis = try #require(Int64(millisText))
        let sdkID = try #require(fields["sdkId"])
        return RequestSigner(
            sdkID: sdkID, key: try YotiPrivateKey(contentsOfFile: keyPath),
            nonce: { nonce }, clock: { Date(timeIntervalSince1970: Double(millis) / 1000) })
    }

    @Test("reproduces the known-answer vectors byte for byte", arguments: try TestFixtures.vectors())
    func knownAnswer(vector: SigningVector) throws {
        let signer = try Self.signer(for: vector, keyPath: SharedPaths.sdkTestKeyPath)
        let signed = try signer.sign(method: vector.method, path: vector.path, body: vector.body.map { Array($0.utf8) })
        #expect(signed.pathAndQuery == vector.path + "?" + vector.query)
        #expect(
            RequestSignature.message(method: vector.method, pathAndQuery: signed.pathAndQuery, body: signed.body)
                == vector.message)
        #expect(signed.digest == vector.digest)
    }

    @Test("a PKCS#8 copy of the same key gives the same digests", arguments: try TestFixtures.vectors())
    func pkcs8SameDigest(vector: SigningVector) throws {
        let signer = try Self.signer(for: vector, keyPath: TestFixtures.path("keys/sdk-test-pkcs8.pem"))
        let signed = try signer.sign(method: vector.method, path: vector.path, body: vector.body.map { Array($0.utf8) })
        #expect(signed.digest == vector.digest)
    }

    @Test("headers carry the digest, SDK name and version, Accept, and Content-Type only with a body")
    func headers() throws {
        let signer = RequestSigner(
            sdkID: "sdk", key: try YotiPrivateKey(contentsOfFile: SharedPaths.sdkTestKeyPath),
            sdkName: "idv-batch", sdkVersion: "2.3.4")
        let post = try signer.sign(method: "post", path: "/sessions", body: Array("{}".utf8))
        let names = post.headers.map(\.name)
        #expect(names == ["X-Yoti-Auth-Digest", "X-Yoti-SDK", "X-Yoti-SDK-Version", "Accept", "Content-Type"])
        #expect(post.headers[0].value == post.digest)
        #expect(post.headers[2].value == "idv-batch-2.3.4")
        #expect(post.method == "POST")
        let get = try signer.sign(method: "GET", path: "/sessions/x")
        #expect(!get.headers.contains { $0.name == "Content-Type" })
        #expect(get.body == nil)
    }

    @Test("every call draws a fresh lower-case v4 nonce and a millisecond timestamp")
    func freshNonceAndTimestamp() throws {
        let signer = RequestSigner(
            sdkID: "sdk-id", key: try YotiPrivateKey(contentsOfFile: SharedPaths.sdkTestKeyPath))
        let before = Int64(Date().timeIntervalSince1970 * 1000)
        let first = try signer.sign(method: "GET", path: "/sessions/a")
        let second = try signer.sign(method: "GET", path: "/sessions/a")
        let after = Int64(Date().timeIntervalSince1970 * 1000)
        #expect(first.nonce != second.nonce)
        #expect(first.digest != second.digest)
        for signed in [first, second] {
            #expect(signed.nonce == signed.nonce.lowercased())
            let uuid = try #require(UUID(uuidString: signed.nonce))
            #expect(uuid.uuid.6 >> 4 == 4, "version nibble of a v4 UUID")
            #expect((before...after).contains(signed.timestampMilliseconds))
            #expect(
                signed.pathAndQuery
                    == "/sessions/a?sdkId=sdk-id&nonce=\(signed.nonce)&timestamp=\(signed.timestampMilliseconds)")
        }
    }

    @Test("supported-documents style requests can omit sdkId")
    func withoutSDKID() throws {
        let signer = RequestSigner(
            sdkID: "sdk-id", key: try YotiPrivateKey(contentsOfFile: SharedPaths.sdkTestKeyPath))
        let signed = try signer.sign(method: "GET", path: "/supported-documents", includeSDKID: false)
        #expect(signed.pathAndQuery.hasPrefix("/supported-documents?nonce="))
        #expect(!signed.pathAndQuery.contains("sdkId"))
    }
}

@Suite("Signature verification")
struct YotiPublicKeyTests {
    @Test("the public key verifies the known-answer digests and nothing else", arguments: try TestFixtures.vectors())
    func verifiesVectors(vector: SigningVector) throws {
        let fromFile = try YotiPublicKey(contentsOfFile: TestFixtures.path("keys/public.pem"))
        let derived = YotiPublicKey(privateKey: try YotiPrivateKey(contentsOfFile: SharedPaths.sdkTestKeyPath))
        for key in [fromFile, derived] {
            #expect(key.isValidDigest(vector.digest, for: vector.message))
            #expect(!key.isValidDigest(vector.digest, for: vector.message + "x"))
            #expect(!key.isValidDigest("not base64!", for: vector.message))
        }
        let other = try YotiPrivateKey(contentsOfFile: TestFixtures.path("keys/rsa-2048-other.pem"))
        #expect(!YotiPublicKey(privateKey: other).isValidDigest(vector.digest, for: vector.message))
    }

    @Test("a private key where a public one is expected is refused")
    func refusesPrivate() throws {
        let error = try #require(throws: YotiKeyError.self) {
            try YotiPublicKey(contentsOfFile: SharedPaths.sdkTestKeyPath)
        }
        #expect(error.code == .malformed)
    }
}
