import AsyncHTTPClient
import Foundation
import NIOCore
import NIOHTTP1
import TestSupport
import YotiAPI
import YotiSandbox

/// A sandbox on loopback, an HTTP client, and a signer for the public Yoti SDK test key.
struct SandboxHarness {
    /// The SDK ID of the shared signing vectors.
    static let sdkID = "737204aa-d54e-49a4-8bde-26ddbe6d880c"
    /// A Yoti Sign API key the harness sandbox accepts (a test value, not a secret).
    static let signAPIKey = "sandbox-test-sign-key-7f3a"

    let sandbox: YotiSandbox
    let http: HTTPClient
    let signer: RequestSigner

    /// The reply to one request, fully read.
    struct Reply {
        var status: Int
        var headers: HTTPHeaders
        var body: [UInt8]

        var json: JSONValue? { try? JSONValue(jsonBytes: body) }
        var error: YotiErrorBody? { try? JSONDecoder().decode(YotiErrorBody.self, from: Data(body)) }
        var created: CreateSessionResponse? {
            try? JSONDecoder().decode(CreateSessionResponse.self, from: Data(body))
        }
    }

    static func signer(clock: @escaping @Sendable () -> Date = { Date() }) throws -> RequestSigner {
        RequestSigner(sdkID: sdkID, key: try YotiPrivateKey(contentsOfFile: SharedPaths.sdkTestKeyPath), clock: clock)
    }

    /// The application for the test key, from its private key file.
    static func testApplication() throws -> SandboxApplication {
        try SandboxApplication(sdkID: sdkID, keyFile: SharedPaths.sdkTestKeyPath)
    }

    /// Runs `body` against a started sandbox, shutting everything down afterwards.
    static func with<T>(
        behaviour: SandboxBehaviour = .healthy,
        options: SandboxConfiguration.Options = .init(),
        applications: [SandboxApplication]? = nil,
        _ body: (SandboxHarness) async throws -> T
    ) async throws -> T {
        // Everything that can throw (reading the key, the configuration) comes before anything is started;
        // what is started is shut down on every path, so a failing test fails and never takes the process down.
        let configuration = SandboxConfiguration(
            applications: try applications ?? [testApplication()], signAPIKeys: [signAPIKey],
            behaviour: behaviour, options: options)
        let signer = try signer()
        let sandbox = try YotiSandbox(configuration: configuration)
        do {
            try await sandbox.start()
        } catch {
            await sandbox.shutdown()
            throw error
        }
        let http = HTTPClient(eventLoopGroupProvider: .singleton)
        let harness = SandboxHarness(sandbox: sandbox, http: http, signer: signer)
        do {
            let result = try await body(harness)
            try await http.shutdown()
            await sandbox.shutdown()
            return result
        } catch {
            try? await http.shutdown()
            await sandbox.shutdown()
            throw error
        }
    }

    /// Polls `condition` every 10 ms for up to 10 s: for effects the sandbox applies after the client gave up.
    func waitUntil(_ condition: () -> Bool) async throws {
        let deadline = ContinuousClock.now + .seconds(30)
        while !condition() && ContinuousClock.now < deadline { try await Task.sleep(for: .milliseconds(10)) }
    }

    /// Sends a raw request to `url`.
    func send(
        _ method: HTTPMethod, url: String, headers: [(name: String, value: String)] = [], body: [UInt8]? = nil,
        timeout: TimeAmount = .seconds(60)
    ) async throws -> Reply {
        var request = HTTPClientRequest(url: url)
        request.method = method
        for header in headers { request.headers.add(name: header.name, value: header.value) }
        if let body { request.body = .bytes(ByteBuffer(bytes: body)) }
        let response = try await http.execute(request, timeout: timeout)
        let collected = try await response.body.collect(upTo: 1 << 22)
        return Reply(
            status: Int(response.status.code), headers: response.headers, body: Array(collected.readableBytesView))
    }

    /// Sends a request exactly as signed, optionally altering headers first.
    func send(
        _ signed: SignedRequest, headers: [(name: String, value: String)]? = nil, timeout: TimeAmount = .seconds(60)
    )
        async throws -> Reply
    {
        try await send(
            HTTPMethod(rawValue: signed.method), url: sandbox.idvBaseURL + signed.pathAndQuery,
            headers: headers ?? signed.headers, body: signed.body, timeout: timeout)
    }

    /// Signs and sends an IDV request.
    func idv(
        _ method: String, _ path: String, body: [UInt8]? = nil, includeSDKID: Bool = true,
        timeout: TimeAmount = .seconds(60)
    ) async throws -> Reply {
        try await send(
            signer.sign(method: method, path: path, body: body, includeSDKID: includeSDKID), timeout: timeout)
    }

    /// Signs and sends `POST /sessions` with `spec`.
    func createSession(_ spec: JSONValue = Self.minimalSpec, timeout: TimeAmount = .seconds(60)) async throws -> Reply {
        try await idv("POST", "/sessions", body: spec.jsonBytes(), timeout: timeout)
    }

    /// A spec Yoti accepts, with a tracking id.
    static func spec(userTrackingID: String? = nil, ttl: Int64? = 600) -> JSONValue {
        var object: [String: JSONValue] = [
            "resources_ttl": 90_000, "requested_checks": [["type": "ID_DOCUMENT_AUTHENTICITY"]],
            "requested_tasks": [], "required_documents": [],
        ]
        if let ttl { object["client_session_token_ttl"] = .integer(ttl) }
        if let userTrackingID { object["user_tracking_id"] = .string(userTrackingID) }
        return .object(object)
    }

    static let minimalSpec = spec(userTrackingID: "harness-row-1")

    /// Sends a Yoti Sign request with the given bearer key (none when `nil`).
    func sign(_ method: HTTPMethod, bearer: String? = Self.signAPIKey, body: JSONValue? = nil) async throws -> Reply {
        var headers: [(name: String, value: String)] = [("Content-Type", "application/json")]
        if let bearer { headers.append(("Authorization", "Bearer \(bearer)")) }
        return try await send(
            method, url: sandbox.signBaseURL + "/v2/idv/sessions/configs", headers: headers, body: body?.jsonBytes())
    }
}
