import Testing
import YotiAPI
import YotiSandbox

@Suite("Sandbox Yoti Sign session configurations")
struct SignEndpointTests {
    static let config: JSONValue = [
        "client_session_token_ttl": 600, "resources_ttl": 90_000,
        "requested_checks": [["type": "LIVENESS", "config": ["liveness_type": "ZOOM", "max_retries": 3]]],
        "future_field": ["kept": true],
    ]

    @Test("a missing or unknown bearer key answers 401 and is counted", arguments: [nil, "wrong-key"] as [String?])
    func bearerRequired(bearer: String?) async throws {
        try await SandboxHarness.with { h async throws in
            #expect(try await h.sign(.GET, bearer: bearer).status == 401)
            let body: JSONValue = ["name": "x", "session_config": Self.config]
            #expect(try await h.sign(.POST, bearer: bearer, body: body).status == 401)
            #expect(h.sandbox.stats().bearerRejected == 2)
            #expect(h.sandbox.signConfigurations().isEmpty)
        }
    }

    @Test("create stores the config as received; list shows it; a second create with the name answers 409")
    func createAndList() async throws {
        try await SandboxHarness.with { h async throws in
            let body: JSONValue = ["name": "branch-flow", "is_private": true, "session_config": Self.config]
            let created = try await h.sign(.POST, body: body)
            #expect(created.status == 201)
            #expect(created.json?["name"]?.stringValue == "branch-flow")

            let listed = try #require(try await h.sign(.GET).json?["session_configs"]?.arrayValue)
            #expect(listed == [["name": "branch-flow", "is_custom": true, "is_private": true]])
            #expect(h.sandbox.signConfigurations().first?.sessionConfig == Self.config)
            #expect(try await h.sign(.POST, body: body).status == 409)
        }
    }

    @Test("a missing name or an invalid session_config answers 400 with property paths")
    func validation() async throws {
        try await SandboxHarness.with { h async throws in
            let body: JSONValue = [
                "session_config": ["client_session_token_ttl": 100, "resources_ttl": 90_000]
            ]
            let reply = try await h.sign(.POST, body: body)
            #expect(reply.status == 400)
            #expect(reply.error?.code == "PAYLOAD_VALIDATION")
            let properties = Set((reply.error?.errors ?? []).compactMap(\.property))
            #expect(properties == ["name", "session_config.client_session_token_ttl"])
            #expect(h.sandbox.signConfigurations().isEmpty)
        }
    }
}
