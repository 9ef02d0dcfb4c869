import Foundation
import TestSupport
import Testing
import YotiAPI
import YotiClient

/// The IDV client against a scripted loopback server: exact bytes on the wire, and each way a
/// call can end. (Against the real sandbox: ClientAgainstSandboxTests.)
@Suite("IDV client transport")
struct IDVClientTransportTests {
    @Test("createSession signs and sends exactly the serialised bytes, to the exact signed URL")
    func exactBytes() async throws {
        let sentClock = Date(timeIntervalSince1970: 1_800_000_000)
        let created = try await ClientTestSupport.withServer(
            .respond(
                status: 201, headers: [("content-type", "application/json"), ("x-request-id", "req-42")],
                body: ClientTestSupport.createdBody),
            clock: { sentClock }
        ) { client, server in
            let created = try await client.createSession(ClientTestSupport.minimalSpec)
            let request = try #require(server.received.first)
            #expect(server.received.count == 1)
            #expect(request.method == "POST")
            #expect(request.body == ClientTestSupport.minimalSpec.jsonBytes())
            #expect(request.uri.hasPrefix("/idverify/v1/sessions?sdkId=\(ClientTestSupport.sdkID)&nonce="))
            // The digest verifies over the path and query as received, with the base prefix removed
            // (PKCS#1 v1.5 signatures are deterministic, so re-signing is verifying).
            let pathAndQuery = String(request.uri.dropFirst("/idverify/v1".count))
            let message = RequestSignature.message(method: "POST", pathAndQuery: pathAndQuery, body: request.body)
            #expect(request.header("X-Yoti-Auth-Digest") == (try ClientTestSupport.key().digest(of: message)))
            #expect(request.header("X-Yoti-SDK") == "idv-batch")
            #expect(request.header("X-Yoti-SDK-Version") == "idv-batch-1.0.0")
            #expect(request.header("Content-Type") == "application/json")
            #expect(request.header("Accept") == "application/json")
            return created
        }
        #expect(created.response.sessionID == "sess-1")
        #expect(created.response.clientSessionTokenTTL == 599)
        #expect(created.httpStatus == 201)
        #expect(created.requestID == "req-42")
        #expect(created.sentAt == sentClock)
        #expect(created.tokenExpiresAt == sentClock.addingTimeInterval(599))
        #expect(!"\(created)".contains("cst-secret-0001"))
    }

    @Test("a spec that fails validation is refused before any request")
    func localValidation() async throws {
        let bad = JSONMergePatch.apply(
            ["client_session_token_ttl": 120, "sdk_config": ["dark_mode": "DIM"]], to: ClientTestSupport.minimalSpec)
        try await ClientTestSupport.withServer(.stall) { client, server in
            let error = try await #require(throws: YotiAPIError.self) { try await client.createSession(bad) }
            #expect(error.code == .permanent)
            #expect(error.yotiCode == "INVALID_SESSION_SPEC")
            #expect(error.errors.map(\.property) == ["client_session_token_ttl", "sdk_config.dark_mode"])
            #expect(server.received.isEmpty)
            #expect(!"\(error)".contains("notify-secret-77"))
        }
    }

    @Test("connection refused on a closed loopback port is transient")
    func connectionRefused() async throws {
        let refusing = try RefusingPort()
        let client = try ClientTestSupport.client(port: refusing.port, connectTimeout: .seconds(1))
        let error = try await #require(throws: YotiAPIError.self) {
            try await client.createSession(ClientTestSupport.minimalSpec)
        }
        try await client.shutdown()
        withExtendedLifetime(refusing) {}
        #expect(error.code == .transient, "\(error)")
        #expect(error.isSafeToRetry)
    }

    @Test("the server closing after reading the request is an unknown outcome")
    func closedAfterRequest() async throws {
        try await ClientTestSupport.withServer(.closeAfterRequest) { client, server in
            let error = try await #require(throws: YotiAPIError.self) {
                try await client.createSession(ClientTestSupport.minimalSpec)
            }
            #expect(error.code == .unknownOutcome, "\(error)")
            #expect(server.received.count == 1)
        }
    }

    @Test("no answer within the request timeout, after sending, is an unknown outcome")
    func stalled() async throws {
        try await ClientTestSupport.withServer(.stall, requestTimeout: .milliseconds(300)) { client, server in
            let error = try await #require(throws: YotiAPIError.self) {
                try await client.createSession(ClientTestSupport.minimalSpec)
            }
            #expect(error.code == .unknownOutcome, "\(error)")
            #expect(error.message.contains("no response within"))
            #expect(server.received.count == 1)
        }
    }

    @Test("a 201 with an unreadable body is an unknown outcome", arguments: ["", "{\"session_id\":", "<html></html>"])
    func unreadableCreated(body: String) async throws {
        try await ClientTestSupport.withServer(.respond(status: 201, headers: [], body: Array(body.utf8))) {
            client, _ in
            let error = try await #require(throws: YotiAPIError.self) {
                try await client.createSession(ClientTestSupport.minimalSpec)
            }
            #expect(error.code == .unknownOutcome)
            #expect(error.status == 201)
        }
    }

    @Test("error answers carry status, Yoti code, errors, request id and Retry-After")
    func errorAnswers() async throws {
        let body = Array(
            #"{"code":"PAYLOAD_VALIDATION","errors":[{"property":"requested_checks","message":"invalid"}]}"#.utf8)
        try await ClientTestSupport.withServer(
            .respond(
                status: 400, headers: [("content-type", "application/json"), ("x-request-id", "r-400")], body: body)
        ) { client, _ in
            let error = try await #require(throws: YotiAPIError.self) { try await client.getSession(id: "sess-1") }
            #expect(error.code == .permanent)
            #expect(error.yotiCode == "PAYLOAD_VALIDATION")
            #expect(error.errors.first?.property == "requested_checks")
            #expect(error.requestID == "r-400")
        }
        try await ClientTestSupport.withServer(.respond(status: 429, headers: [("Retry-After", "7")], body: [])) {
            client, _ in
            let error = try await #require(throws: YotiAPIError.self) { try await client.deleteSession(id: "sess-1") }
            #expect(error.code == .rateLimited)
            #expect(error.retryAfter == .seconds(7))
        }
        try await ClientTestSupport.withServer(
            .respond(status: 401, headers: [], body: Array(#"{"code":"UNAUTHORIZED"}"#.utf8))
        ) { client, _ in
            let error = try await #require(throws: YotiAPIError.self) {
                try await client.createSession(ClientTestSupport.minimalSpec)
            }
            #expect(error.code == .credentials)
            #expect(!"\(error)".contains("notify-secret-77"))
            #expect(!"\(error)".contains("PRIVATE KEY"))
        }
    }

    @Test("IBV calls: configuration, instructions, PDF (and 204 as no letter), supported documents")
    func ibvCalls() async throws {
        try await ClientTestSupport.withServer(
            .respond(
                status: 200, headers: [("content-type", "application/json")],
                body: Array(#"{"capture":{"required_resources":[{"id":"req-1"}]}}"#.utf8))
        ) { client, server in
            let configuration = try await client.getSessionConfiguration(id: "sess-1")
            #expect(configuration["capture"]?["required_resources"]?[0]?["id"] == "req-1")
            let instructions: JSONValue = [
                "contact_profile": ["first_name": "Ada"], "branch": ["type": "UK_POST_OFFICE"],
            ]
            try await client.putInstructions(sessionID: "sess-1", instructions)
            _ = try await client.supportedDocuments()
            let requests = server.received
            #expect(requests.map(\.method) == ["GET", "PUT", "GET"])
            #expect(requests[0].uri.hasPrefix("/idverify/v1/sessions/sess-1/configuration?sdkId="))
            #expect(requests[1].uri.hasPrefix("/idverify/v1/sessions/sess-1/instructions?sdkId="))
            #expect(requests[1].body == instructions.jsonBytes())
            #expect(requests[2].uri.hasPrefix("/idverify/v1/supported-documents?nonce="))
        }
        let pdf = Array("%PDF-1.7 letter".utf8)
        try await ClientTestSupport.withServer(
            .respond(status: 200, headers: [("content-type", "application/pdf")], body: pdf)
        ) { client, server in
            let letter = try await client.instructionsPDF(sessionID: "sess-1")
            #expect(letter == pdf)
            #expect(server.received.first?.uri.hasPrefix("/idverify/v1/sessions/sess-1/instructions/pdf?") == true)
        }
        try await ClientTestSupport.withServer(.respond(status: 204, headers: [], body: [])) { client, _ in
            let letter = try await client.instructionsPDF(sessionID: "sess-1")
            #expect(letter == nil)
        }
    }

    @Test("cancelling the task rethrows CancellationError untouched")
    func cancellation() async throws {
        try await ClientTestSupport.withServer(.stall, requestTimeout: .seconds(30)) { client, server in
            let task = Task { try await client.createSession(ClientTestSupport.minimalSpec) }
            for _ in 0..<1000 where server.received.isEmpty { try await Task.sleep(for: .milliseconds(10)) }
            try #require(!server.received.isEmpty, "the request never reached the server")
            task.cancel()
            let result = await task.result
            #expect(throws: CancellationError.self) { try result.get() }
        }
    }

    @Test("base URLs: trailing slashes stripped, environment fallbacks, bad URLs refused")
    func baseURLs() throws {
        #expect(IDVClient.resolveBaseURL(flag: nil, environment: [:]) == IDVClient.productionBaseURL)
        #expect(
            IDVClient.resolveBaseURL(flag: nil, environment: ["YOTI_DOC_SCAN_API_URL": "http://h/doc/"])
                == "http://h/doc")
        #expect(
            IDVClient.resolveBaseURL(
                flag: nil, environment: ["YOTI_IDV_API_URL": "http://a/", "YOTI_DOC_SCAN_API_URL": "http://b"])
                == "http://a")
        #expect(
            IDVClient.resolveBaseURL(flag: "http://flag//", environment: ["YOTI_IDV_API_URL": "http://a"])
                == "http://flag")
        #expect(IDVClient.resolveBaseURL(flag: "", environment: ["YOTI_IDV_API_URL": "http://a"]) == "http://a")
        for bad in ["api.yoti.com/idverify/v1", "ftp://x/y", "http:///nohost", "https://x/y?q=1"] {
            let error = try #require(throws: YotiAPIError.self) {
                try IDVClient(baseURL: bad, sdkID: "x", key: try ClientTestSupport.key())
            }
            #expect(error.code == .configuration)
        }
    }
}
