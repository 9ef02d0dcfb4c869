import Foundation
import NIOHTTP1
import Synchronization
import TestSupport
import Testing
import YotiAPI
import YotiClient
import YotiSandbox

/// The real clients against the sandbox on loopback: every outcome class, produced by the sandbox's faults.
@Suite("Yoti clients against the sandbox")
struct ClientAgainstSandboxTests {
    static let sdkID = ClientTestSupport.sdkID
    static let signAPIKey = "sandbox-sign-key-client-test-5c1e"

    static func spec(userTrackingID: String = "client-row-1") -> JSONValue {
        [
            "client_session_token_ttl": 600, "resources_ttl": 90_000, "user_tracking_id": .string(userTrackingID),
            "requested_checks": [["type": "ID_DOCUMENT_AUTHENTICITY"]], "requested_tasks": [],
            "required_documents": [],
        ]
    }

    /// The sandbox application for the shared test key (public half derived from the private key).
    static func testApplication() throws -> SandboxApplication {
        SandboxApplication(sdkID: sdkID, publicKey: YotiPublicKey(privateKey: try ClientTestSupport.key()))
    }

    /// Runs `body` with a started sandbox and an `IDVClient` pointed at it, then shuts both down.
    static func withClient(
        behaviour: SandboxBehaviour = .healthy,
        applications: [SandboxApplication]? = nil,
        options: IDVClient.Options = IDVClient.Options(connectTimeout: .seconds(10), requestTimeout: .seconds(60)),
        _ body: (YotiSandbox, IDVClient) async throws -> Void
    ) async throws {
        // Everything that can throw comes before anything starts; what started is stopped on every path.
        let key = try ClientTestSupport.key()
        let sandbox = try YotiSandbox(
            configuration: SandboxConfiguration(
                applications: try applications ?? [testApplication()],
                signAPIKeys: [signAPIKey], behaviour: behaviour))
        try await sandbox.start()
        let client: IDVClient
        do {
            client = try IDVClient(baseURL: sandbox.idvBaseURL, sdkID: sdkID, key: key, options: options)
        } catch {
            await sandbox.shutdown()
            throw error
        }
        do {
            try await body(sandbox, client)
        } catch {
            try? await client.shutdown()
            await sandbox.shutdown()
            throw error
        }
        try await client.shutdown()
        await sandbox.shutdown()
    }

    /// The error a call threw, which must be a `YotiAPIError`.
    static func failure(_ call: () async throws -> some Any) async throws -> YotiAPIError {
        do {
            _ = try await call()
        } catch let error as YotiAPIError {
            return error
        }
        throw UnexpectedSuccess()
    }

    /// Thrown when a call expected to fail succeeded.
    struct UnexpectedSuccess: Error, CustomStringConvertible {
        var description: String { "the call succeeded; a YotiAPIError was expected" }
    }

    /// Polls `condition` every 10 ms for up to 10 s: for effects the sandbox applies after the client gave up.
    static func waitUntil(_ condition: () -> Bool) async throws {
        let deadline = ContinuousClock.now + .seconds(30)
        while !condition() && ContinuousClock.now < deadline { try await Task.sleep(for: .milliseconds(10)) }
    }

    // MARK: created

    @Test("created: the full IDV round trip succeeds, ttl read as remaining seconds")
    func created() async throws {
        try await Self.withClient { sandbox, client async throws in
            let created = try await client.createSession(Self.spec())
            #expect(created.response.clientSessionTokenTTL == 599)
            #expect(created.requestID != nil)
            #expect(created.tokenExpiresAt <= Date().addingTimeInterval(599))
            let id = created.response.sessionID
            #expect(sandbox.session(id: id)?.userTrackingID == "client-row-1")

            #expect(try await client.getSession(id: id)["state"]?.stringValue == "ONGOING")
            let configuration = try await client.getSessionConfiguration(id: id)
            let requirement = try #require(
                configuration["capture"]?["required_resources"]?[0]?["id"]?.stringValue)
            try await client.putInstructions(
                sessionID: id,
                [
                    "contact_profile": ["first_name": "Ada", "last_name": "Lovelace", "email": "ada@example.com"],
                    "documents": [["requirement_id": .string(requirement), "document": ["type": "ID_DOCUMENT"]]],
                    "branch": ["type": "UK_POST_OFFICE"],
                ])
            #expect(try await client.instructionsPDF(sessionID: id)?.starts(with: Array("%PDF-".utf8)) == true)
            try await client.requestInstructionsEmail(sessionID: id)
            #expect(try await client.supportedDocuments()["supported_countries"] != nil)
            try await client.deleteSession(id: id)
            #expect(sandbox.session(id: id) == nil)
            #expect(sandbox.stats().signaturesRejected == 0)
        }
    }

    @Test("signed ahead: a fresh presigned create goes out as signed; any other request is signed afresh")
    func presigned() async throws {
        try await Self.withClient { sandbox, _ async throws in
            let signatures = Mutex(0)
            let signer = RequestSigner(
                sdkID: Self.sdkID, key: try ClientTestSupport.key(),
                nonce: {
                    signatures.withLock { $0 += 1 }
                    return UUID()
                })
            let client = try IDVClient(baseURL: sandbox.idvBaseURL, signer: signer)
            let body = Self.spec(userTrackingID: "ahead-1").jsonBytes()
            let other = Self.spec(userTrackingID: "ahead-2").jsonBytes()
            try await withClosing(client, close: { try await $0.shutdown() }) { client in
                let presigned = try #require(client.presignCreateSession(body: body))
                #expect(signatures.withLock { $0 } == 1)

                let created = try await client.createSession(body: body, presigned: presigned)
                #expect(sandbox.session(id: created.response.sessionID)?.userTrackingID == "ahead-1")
                #expect(signatures.withLock { $0 } == 1)  // sent as signed ahead: no second signature

                // Another body (or a stale signature) is never sent under the presigned digest.
                let mismatched = try #require(client.presignCreateSession(body: body))
                let second = try await client.createSession(body: other, presigned: mismatched)
                #expect(sandbox.session(id: second.response.sessionID)?.userTrackingID == "ahead-2")
                #expect(signatures.withLock { $0 } == 3)
                #expect(sandbox.stats().signaturesRejected == 0)
            }

            // Freshness is judged at the call: a request signed just now is usable, one a second old is not.
            let fresh = try #require(client.presignCreateSession(body: body))
            let now = ContinuousClock.now
            #expect(fresh.isUsable(method: .POST, path: "/sessions", body: body, includeSDKID: true, now: now))
            #expect(
                !fresh.isUsable(
                    method: .POST, path: "/sessions", body: body, includeSDKID: true,
                    now: now + IDVClient.presignedMaxAge))
            #expect(!fresh.isUsable(method: .PUT, path: "/sessions", body: body, includeSDKID: true, now: now))
            #expect(!fresh.isUsable(method: .POST, path: "/session", body: body, includeSDKID: true, now: now))
            #expect(!fresh.isUsable(method: .POST, path: "/sessions", body: body, includeSDKID: false, now: now))
            #expect(!fresh.isUsable(method: .POST, path: "/sessions", body: other, includeSDKID: true, now: now))
        }
    }

    // MARK: permanent

    @Test("permanent: the sandbox's 400 PAYLOAD_VALIDATION comes back with Yoti's code and errors[]")
    func permanentValidation() async throws {
        try await Self.withClient { sandbox, client async throws in
            var spec = Self.spec()
            if case .object(var object) = spec {
                object["client_session_token_ttl"] = 120
                spec = .object(object)
            }
            // Raw bytes bypass the client's own validation, so the sandbox is the one refusing.
            let error = try await Self.failure { try await client.createSession(body: spec.jsonBytes()) }
            #expect(error.code == .permanent)
            #expect(error.status == 400)
            #expect(error.yotiCode == "PAYLOAD_VALIDATION")
            #expect(error.errors.contains { $0.property == "client_session_token_ttl" })
            #expect(error.requestID != nil)
            #expect(sandbox.stats().sessionsCreated == 0)
        }
    }

    @Test("permanent: an unknown session is 404, and a delete with unfinished checks is 409")
    func permanentNotFoundAndConflict() async throws {
        try await Self.withClient(behaviour: SandboxBehaviour(deleteAnswersConflict: true)) { _, client async throws in
            let missing = try await Self.failure { try await client.getSession(id: UUID().uuidString.lowercased()) }
            #expect(missing.code == .permanent)
            #expect(missing.status == 404)
            let id = try await client.createSession(Self.spec()).response.sessionID
            let conflict = try await Self.failure { try await client.deleteSession(id: id) }
            #expect(conflict.code == .permanent)
            #expect(conflict.status == 409)
        }
    }

    // MARK: credentials

    @Test("credentials: a key that is not the application's is refused with 401")
    func credentials() async throws {
        let impostor = try SandboxApplication.unmatchable(sdkID: Self.sdkID)
        try await Self.withClient(applications: [impostor]) { sandbox, client async throws in
            let error = try await Self.failure { try await client.createSession(Self.spec()) }
            #expect(error.code == .credentials)
            #expect(error.status == 401)
            #expect(sandbox.stats().signaturesRejected == 1)
            #expect(sandbox.stats().sessionsCreated == 0)
        }
    }

    // MARK: rate limited

    @Test("rateLimited: an injected 429 and the sandbox's own limit both carry Retry-After")
    func rateLimited() async throws {
        try await Self.withClient(behaviour: .faulty(.init(tooManyRequests: 1))) { sandbox, client async throws in
            let injected = try await Self.failure { try await client.createSession(Self.spec()) }
            #expect(injected.code == .rateLimited)
            #expect(injected.retryAfter == .seconds(1))

            // One per 10 s, so the second call lands inside the window even on a loaded machine.
            try sandbox.setBehaviour(.rateLimited(0.1))
            _ = try await client.createSession(Self.spec())
            let limited = try await Self.failure { try await client.createSession(Self.spec()) }
            #expect(limited.code == .rateLimited)
            #expect(limited.retryAfter.map { $0 >= .seconds(1) && $0 <= .seconds(10) } == true)
            #expect(sandbox.stats().rateLimited == 1)
        }
    }

    // MARK: transient

    @Test(
        "transient: 500 and 503 from the sandbox",
        arguments: [
            (SandboxBehaviour.FaultRates(internalServerError: 1), 500),
            (SandboxBehaviour.FaultRates(serviceUnavailable: 1), 503),
        ])
    func transientStatus(rates: SandboxBehaviour.FaultRates, status: Int) async throws {
        try await Self.withClient(behaviour: .faulty(rates)) { sandbox, client async throws in
            let error = try await Self.failure { try await client.createSession(Self.spec()) }
            #expect(error.code == .transient)
            #expect(error.status == status)
            #expect(error.isSafeToRetry)
            #expect(sandbox.stats().sessionsCreated == 0)
        }
    }

    /// The sandbox resets as soon as the head arrives, without reading the body. With a body larger than the
    /// loopback socket buffers (4 MiB send + up to 32 MiB receive here) the client is still writing, so it
    /// knows the request was not sent.
    @Test("transient: a reset before the request was fully sent", .timeLimit(.minutes(1)))
    func transientResetBefore() async throws {
        try await Self.withClient(behaviour: .faulty(.init(resetBeforeCreating: 1))) { sandbox, client async throws in
            var spec = Self.spec()
            if case .object(var object) = spec {
                object["padding"] = .string(String(repeating: "x", count: 40 << 20))
                spec = .object(object)
            }
            let error = try await Self.failure { try await client.createSession(body: spec.jsonBytes()) }
            #expect(error.code == .transient)
            #expect(error.status == nil)
            #expect(sandbox.stats().faults("reset_before") == 1)
            #expect(sandbox.stats().sessionsCreated == 0)
        }
    }

    /// A small request is fully written before the reset arrives, so the client cannot tell a reset before
    /// creating from one after: it must not claim success, and reports the conservative unknown outcome
    /// (transient only if the reset won the race with the write).
    @Test("a reset before creating a small, fully sent request is never reported as created")
    func resetBeforeSmallRequest() async throws {
        try await Self.withClient(behaviour: .faulty(.init(resetBeforeCreating: 1))) { sandbox, client async throws in
            let error = try await Self.failure { try await client.createSession(Self.spec()) }
            #expect([.unknownOutcome, .transient].contains(error.code))
            #expect(sandbox.stats().sessionsCreated == 0)
        }
    }

    @Test("transient: nothing listening (connection refused)")
    func transientRefused() async throws {
        // A port held by a socket that never listens: connecting is refused, and no other test's server can
        // take the port meanwhile (a closed server's port could be reused by a stalling one running beside).
        let refusing = try RefusingPort()
        let port = refusing.port
        let client = try IDVClient(
            baseURL: "http://127.0.0.1:\(port)/idverify/v1", sdkID: Self.sdkID, key: try ClientTestSupport.key(),
            options: IDVClient.Options(connectTimeout: .seconds(2), requestTimeout: .seconds(5)))
        let error = try await withClosing(client, close: { try await $0.shutdown() }) { client in
            try await Self.failure { try await client.createSession(Self.spec()) }
        }
        withExtendedLifetime(refusing) {}
        #expect(error.code == .transient)
    }

    // MARK: unknown outcome

    @Test("unknownOutcome: a stall beyond the client's request timeout; the session exists", .timeLimit(.minutes(1)))
    func unknownOutcomeStall() async throws {
        try await Self.withClient(
            behaviour: .faulty(.init(stall: 1)),
            options: IDVClient.Options(connectTimeout: .seconds(2), requestTimeout: .seconds(1))
        ) { sandbox, client async throws in
            let error = try await Self.failure { try await client.createSession(Self.spec()) }
            #expect(error.code == .unknownOutcome)
            #expect(!error.isSafeToRetry)
            // The client gave up on its own clock; under load the sandbox may reach the request a moment later.
            try await Self.waitUntil { sandbox.stats().faults("stall") == 1 }
            #expect(sandbox.stats().sessionsPerUserTrackingID == ["client-row-1": 1])
        }
    }

    @Test(
        "unknownOutcome: a reset after creating, and a malformed 201; the session exists",
        arguments: [
            SandboxBehaviour.FaultRates(resetAfterCreating: 1), SandboxBehaviour.FaultRates(malformedCreated: 1),
        ])
    func unknownOutcomeAfterCreating(rates: SandboxBehaviour.FaultRates) async throws {
        try await Self.withClient(behaviour: .faulty(rates)) { sandbox, client async throws in
            let error = try await Self.failure { try await client.createSession(Self.spec()) }
            #expect(error.code == .unknownOutcome)
            #expect(error.status == (rates.malformedCreated > 0 ? 201 : nil))
            #expect(sandbox.stats().sessionsCreated == 1)
        }
    }

    // MARK: Yoti Sign

    @Test("Yoti Sign: create and list a configuration; a wrong API key is a credentials error")
    func signClient() async throws {
        try await Self.withClient { sandbox, _ async throws in
            let sign = try YotiSignClient(baseURL: sandbox.signBaseURL, apiKey: Self.signAPIKey)
            let listed = try await withClosing(sign, close: { try await $0.shutdown() }) { sign in
                _ = try await sign.createConfiguration(
                    name: "ibv-default", isPrivate: false, sessionConfig: Self.spec())
                return try await sign.listConfigurations()
            }
            #expect(listed == [SessionConfigurationSummary(name: "ibv-default", isCustom: true, isPrivate: false)])
            #expect(sandbox.signConfigurations().first?.sessionConfig == Self.spec())

            let wrong = try YotiSignClient(baseURL: sandbox.signBaseURL, apiKey: "not-the-key")
            let error = try await withClosing(wrong, close: { try await $0.shutdown() }) { wrong in
                try await Self.failure { try await wrong.listConfigurations() }
            }
            #expect(error.code == .credentials)
            #expect(error.status == 401)
        }
    }

    // MARK: secrets

    @Test("no token, key or API key appears in any error description or created-session description")
    func noSecretsInErrors() async throws {
        let keyLines = try String(contentsOfFile: SharedPaths.sdkTestKeyPath, encoding: .utf8)
            .split(separator: "\n").filter { !$0.hasPrefix("-----") }.map(String.init)
        var texts: [String] = []
        var tokens: [String] = []
        try await Self.withClient { sandbox, client async throws in
            let created = try await client.createSession(Self.spec())
            tokens.append(created.response.clientSessionToken)
            texts += [created.description, String(describing: created.response), "\(created)"]
            for rates in [
                SandboxBehaviour.FaultRates(internalServerError: 1), .init(tooManyRequests: 1),
                .init(resetAfterCreating: 1), .init(malformedCreated: 1),
            ] {
                try sandbox.setBehaviour(.faulty(rates))
                let error = try await Self.failure { try await client.createSession(Self.spec()) }
                texts += [error.description, error.message, String(reflecting: error)]
            }
            let wrongSign = try YotiSignClient(baseURL: sandbox.signBaseURL, apiKey: "wrong-\(Self.signAPIKey)")
            let signError = try await withClosing(wrongSign, close: { try await $0.shutdown() }) { wrongSign in
                try await Self.failure { try await wrongSign.listConfigurations() }
            }
            texts += [signError.description, String(reflecting: signError), wrongSign.description]
        }
        let impostor = try SandboxApplication.unmatchable(sdkID: Self.sdkID)
        try await Self.withClient(applications: [impostor]) { _, client async throws in
            let error = try await Self.failure { try await client.createSession(Self.spec()) }
            texts += [error.description, String(reflecting: error)]
        }
        let all = texts.joined(separator: "\n")
        #expect(!all.isEmpty)
        for secret in tokens + keyLines + [Self.signAPIKey] {
            #expect(!all.contains(secret), "a secret leaked into an error or description")
        }
    }
}
