import Foundation
import TestSupport
import YotiAPI
import YotiClient

/// Shared set-up for the client tests that talk to a ``ScriptedHTTPServer`` on loopback.
enum ClientTestSupport {
    static let sdkID = "737204aa-d54e-49a4-8bde-26ddbe6d880c"

    static func key() throws -> YotiPrivateKey {
        try YotiPrivateKey(contentsOfFile: SharedPaths.sdkTestKeyPath)
    }

    /// An IDV client for `127.0.0.1:port` (base with a trailing slash, which must be stripped).
    static func client(
        port: Int, requestTimeout: Duration = .seconds(5), connectTimeout: Duration = .seconds(2),
        clock: @escaping @Sendable () -> Date = { Date() }, key: YotiPrivateKey? = nil
    ) throws -> IDVClient {
        let signer = RequestSigner(sdkID: sdkID, key: try key ?? Self.key())
        return try IDVClient(
            baseURL: "http://127.0.0.1:\(port)/idverify/v1/", signer: signer,
            options: .init(connectTimeout: connectTimeout, requestTimeout: requestTimeout, maxConnections: 2),
            clock: clock)
    }

    /// Runs `body`, then shuts the client and server down whatever happened.
    static func withServer<T>(
        _ behaviour: ScriptedHTTPServer.Behaviour, requestTimeout: Duration = .seconds(5),
        clock: @escaping @Sendable () -> Date = { Date() },
        _ body: (IDVClient, ScriptedHTTPServer) async throws -> T
    ) async throws -> T {
        // The key is read before the server starts, so a missing fixture fails the test without leaving it running.
        let key = try key()
        let server = try await ScriptedHTTPServer.start(behaviour)
        let client: IDVClient
        do {
            client = try Self.client(port: server.port, requestTimeout: requestTimeout, clock: clock, key: key)
        } catch {
            try? await server.stop()
            throw error
        }
        do {
            let result = try await body(client, server)
            try await client.shutdown()
            try await server.stop()
            return result
        } catch {
            try? await client.shutdown()
            try? await server.stop()
            throw error
        }
    }

    static let createdBody = Array(
        #"{"client_session_token_ttl":599,"client_session_token":"cst-secret-0001","session_id":"sess-1","extra_field":{"a":1}}"#
            .utf8)

    static let minimalSpec: JSONValue = [
        "client_session_token_ttl": 600, "resources_ttl": 90000, "user_tracking_id": "emp-1",
        "requested_checks": [["type": "LIVENESS", "config": ["liveness_type": "ZOOM"]]],
        "notifications": ["endpoint": "https://hooks.example.com/yoti", "auth_token": "notify-secret-77"],
    ]
}
