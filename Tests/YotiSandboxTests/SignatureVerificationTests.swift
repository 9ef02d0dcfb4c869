import Foundation
import TestSupport
import Testing
import YotiAPI
import YotiSandbox

@Suite("Sandbox signature verification")
struct SignatureVerificationTests {
    @Test("a correctly signed POST /sessions is accepted and counted, with x-request-id")
    func signedRequestAccepted() async throws {
        try await SandboxHarness.with { h async throws in
            let reply = try await h.createSession()
            #expect(reply.status == 201)
            #expect(reply.headers.first(name: "x-request-id")?.isEmpty == false)
            let created = try #require(reply.created)
            #expect(h.sandbox.session(id: created.sessionID)?.userTrackingID == "harness-row-1")
            let stats = h.sandbox.stats()
            #expect(stats.sessionsCreated == 1)
            #expect(stats.signaturesRejected == 0)
        }
    }

    /// The SDKs order `sdkId`, `nonce` and `timestamp` differently; the server must verify the query as received.
    @Test(
        "query parameters in any order verify",
        arguments: [
            ["sdkId", "nonce", "timestamp"], ["nonce", "timestamp", "sdkId"], ["timestamp", "sdkId", "nonce"],
            ["nonce", "sdkId", "timestamp", "extra"],
        ])
    func parameterOrderIndependence(order: [String]) async throws {
        try await SandboxHarness.with { h async throws in
            let key = try YotiPrivateKey(contentsOfFile: SharedPaths.sdkTestKeyPath)
            let values = [
                "sdkId": SandboxHarness.sdkID, "nonce": UUID().uuidString.lowercased(),
                "timestamp": String(Int64(Date().timeIntervalSince1970 * 1000)), "extra": "x%20y",
            ]
            let query = order.map { "\($0)=\(values[$0]!)" }.joined(separator: "&")
            let body = SandboxHarness.minimalSpec.jsonBytes()
            let digest = try key.digest(
                of: RequestSignature.message(method: "POST", pathAndQuery: "/sessions?" + query, body: body))
            let reply = try await h.send(
                .POST, url: h.sandbox.idvBaseURL + "/sessions?" + query,
                headers: [(RequestSignature.digestHeader, digest), ("Content-Type", "application/json")], body: body)
            #expect(reply.status == 201)
            #expect(h.sandbox.stats().signaturesRejected == 0)
        }
    }

    enum Tamper: String, CaseIterable, Sendable {
        case missingDigest, notBase64, otherBody, extraQuery, unknownSDKID, missingSDKID
    }

    @Test("bad requests answer 401 with Yoti's error body and count as rejected", arguments: Tamper.allCases)
    func rejected(tamper: Tamper) async throws {
        try await SandboxHarness.with { h async throws in
            let body = SandboxHarness.minimalSpec.jsonBytes()
            var signed = try h.signer.sign(method: "POST", path: "/sessions", body: body)
            var headers = signed.headers
            switch tamper {
            case .missingDigest:
                headers.removeAll { $0.name == RequestSignature.digestHeader }
            case .notBase64:
                headers = headers.map { $0.name == RequestSignature.digestHeader ? ($0.name, "%%not base64%%") : $0 }
            case .otherBody:
                signed.body = SandboxHarness.spec(userTrackingID: "someone-else").jsonBytes()
            case .extraQuery:
                signed.pathAndQuery += "&extra=1"
            case .unknownSDKID:
                signed.pathAndQuery = signed.pathAndQuery.replacingOccurrences(
                    of: SandboxHarness.sdkID, with: "00000000-0000-4000-8000-000000000000")
            case .missingSDKID:
                signed.pathAndQuery = signed.pathAndQuery.replacingOccurrences(
                    of: "sdkId=\(SandboxHarness.sdkID)&", with: "")
            }
            let reply = try await h.send(signed, headers: headers)
            #expect(reply.status == 401)
            #expect(reply.error?.code == "UNAUTHORIZED")
            let stats = h.sandbox.stats()
            #expect(stats.signaturesRejected == 1)
            #expect(stats.sessionsCreated == 0)
        }
    }

    @Test("a replayed nonce is rejected, the original accepted")
    func replayedNonce() async throws {
        try await SandboxHarness.with { h async throws in
            let signed = try h.signer.sign(
                method: "POST", path: "/sessions", body: SandboxHarness.minimalSpec.jsonBytes())
            #expect(try await h.send(signed).status == 201)
            let replay = try await h.send(signed)
            #expect(replay.status == 401)
            #expect(replay.error?.message?.contains("nonce") == true)
            #expect(h.sandbox.stats().sessionsCreated == 1)
            #expect(h.sandbox.stats().signaturesRejected == 1)
        }
    }

    @Test("a timestamp ten minutes old is rejected, unless the skew check is off", arguments: [true, false])
    func staleTimestamp(checkSkew: Bool) async throws {
        let options = SandboxConfiguration.Options(maxTimestampSkew: checkSkew ? .seconds(300) : nil)
        try await SandboxHarness.with(options: options) { h async throws in
            let late = try SandboxHarness.signer(clock: { Date().addingTimeInterval(-600) })
            let reply = try await h.send(late.sign(method: "GET", path: "/supported-documents"))
            #expect(reply.status == (checkSkew ? 401 : 200))
            #expect(h.sandbox.stats().signaturesRejected == (checkSkew ? 1 : 0))
        }
    }

    @Test("a request signed with a key other than the application's is rejected")
    func wrongKey() async throws {
        let impostor = try SandboxApplication.unmatchable(sdkID: SandboxHarness.sdkID)
        try await SandboxHarness.with(applications: [impostor]) { h async throws in
            let reply = try await h.createSession()
            #expect(reply.status == 401)
            #expect(h.sandbox.stats().signaturesRejected == 1)
            #expect(h.sandbox.stats().sessionsCreated == 0)
        }
    }

    @Test("supported-documents verifies without sdkId but still needs a signature")
    func supportedDocumentsWithoutSDKID() async throws {
        try await SandboxHarness.with { h async throws in
            let signed = try await h.idv("GET", "/supported-documents", includeSDKID: false)
            #expect(signed.status == 200)
            #expect(signed.json?["supported_countries"]?.arrayValue?.isEmpty == false)
            let unsigned = try await h.send(.GET, url: h.sandbox.idvBaseURL + "/supported-documents")
            #expect(unsigned.status == 401)
        }
    }

    @Test("an application accepts its public key PEM as well as its private key file")
    func publicKeyPEM() async throws {
        let key = try YotiPrivateKey(contentsOfFile: SharedPaths.sdkTestKeyPath)
        let application = try SandboxApplication(sdkID: SandboxHarness.sdkID, pem: key.publicKeyPEM)
        try await SandboxHarness.with(applications: [application]) { h async throws in
            #expect(try await h.createSession().status == 201)
        }
    }

    @Test("unreadable or non-RSA key files fail with the file named and no key material")
    func badKeyFiles() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("sandbox-keys-\(UUID())")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let garbage = directory.appendingPathComponent("garbage.pem")
        try "-----BEGIN PUBLIC KEY-----\nc2VjcmV0LW1hdGVyaWFs\n-----END PUBLIC KEY-----\n".write(
            to: garbage, atomically: true, encoding: .utf8)
        for path in [garbage.path, directory.appendingPathComponent("missing.pem").path] {
            let error = try #require(throws: SandboxError.self) {
                try SandboxApplication(sdkID: "x", keyFile: path)
            }
            #expect(error.code == .invalidKey)
            #expect(error.message.contains(path))
            #expect(!error.message.contains("c2VjcmV0"))
        }
    }
}
