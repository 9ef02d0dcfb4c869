import Foundation
import TestSupport
import Testing
import YotiAPI
import YotiClient

@Suite("Yoti Sign client")
struct YotiSignClientTests {
    static let apiKey = "ys-api-key-SECRET-0123456789"

    static func withSign(
        _ behaviour: ScriptedHTTPServer.Behaviour, _ body: (YotiSignClient, ScriptedHTTPServer) async throws -> Void
    ) async throws {
        let server = try await ScriptedHTTPServer.start(behaviour)
        try await withClosing(server, close: { try await $0.stop() }) { server in
            let client = try YotiSignClient(baseURL: "http://127.0.0.1:\(server.port)/", apiKey: apiKey)
            try await withClosing(client, close: { try await $0.shutdown() }) { try await body($0, server) }
        }
    }

    @Test("creates a named configuration with a bearer key and keeps whatever comes back")
    func create() async throws {
        let config = try JSONValue(
            jsonString:
                #"{"client_session_token_ttl": 1800, "requested_checks": [{"type": "LIVENESS", "config": {"liveness_type": "ZOOM", "max_retries": 3}}]}"#
        )
        try await Self.withSign(.respond(status: 201, headers: [], body: Array(#"{"name":"std","id":"c-1"}"#.utf8))) {
            client, server in
            let answer = try await client.createConfiguration(name: "std", isPrivate: true, sessionConfig: config)
            #expect(answer == ["name": "std", "id": "c-1"])
            let request = try #require(server.received.first)
            #expect(request.method == "POST")
            #expect(request.uri == "/v2/idv/sessions/configs")
            #expect(request.header("Authorization") == "Bearer \(Self.apiKey)")
            #expect(request.header("X-Yoti-Auth-Digest") == nil)
            #expect(
                try JSONValue(jsonBytes: request.body) == ["name": "std", "is_private": true, "session_config": config])
        }
    }

    @Test("lists configurations tolerantly")
    func list() async throws {
        let body =
            #"{"session_configs":[{"name":"a","is_custom":true,"is_private":false,"x":1},{"is_custom":true},{"name":"b"}],"next":null}"#
        try await Self.withSign(.respond(status: 200, headers: [], body: Array(body.utf8))) { client, server in
            let list = try await client.listConfigurations()
            #expect(list == [.init(name: "a", isCustom: true, isPrivate: false), .init(name: "b")])
            #expect(server.received.first?.method == "GET")
        }
    }

    @Test("a refused key is a credentials error that never shows the key")
    func refusedKey() async throws {
        try await Self.withSign(.respond(status: 401, headers: [], body: Array(#"{"code":"UNAUTHORIZED"}"#.utf8))) {
            client, _ in
            let error = try await #require(throws: YotiAPIError.self) { try await client.listConfigurations() }
            #expect(error.code == .credentials)
            #expect(error.message.contains("YOTI_SIGN_API_KEY"))
            #expect(!"\(error)".contains(Self.apiKey))
            #expect(!"\(client)".contains(Self.apiKey))
        }
    }

    @Test("an invalid session config is refused locally")
    func invalidConfig() async throws {
        try await Self.withSign(.stall) { client, server in
            let error = try await #require(throws: YotiAPIError.self) {
                try await client.createConfiguration(
                    name: "x", isPrivate: false, sessionConfig: ["client_session_token_ttl": 10])
            }
            #expect(error.code == .permanent)
            #expect(error.yotiCode == "INVALID_SESSION_SPEC")
            #expect(server.received.isEmpty)
        }
    }
}
