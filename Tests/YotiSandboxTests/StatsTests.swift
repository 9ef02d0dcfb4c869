import Foundation
import Logging
import Testing
import YotiAPI
import YotiSandbox

@Suite("Sandbox statistics and introspection")
struct StatsTests {
    @Test("sessions per user_tracking_id expose duplicates")
    func duplicates() async throws {
        try await SandboxHarness.with { h async throws in
            for id in ["row-a", "row-a", "row-a", "row-b"] {
                #expect(try await h.createSession(SandboxHarness.spec(userTrackingID: id)).status == 201)
            }
            #expect(try await h.createSession(SandboxHarness.spec()).status == 201)
            let stats = h.sandbox.stats()
            #expect(stats.sessionsCreated == 5)
            #expect(stats.sessionsPerUserTrackingID == ["row-a": 3, "row-b": 1])
            #expect(stats.sessionsWithoutUserTrackingID == 1)
            #expect(stats.duplicatedUserTrackingIDs == 1)
            #expect(stats.duplicateSessions == 2)
            #expect(h.sandbox.sessions(userTrackingID: "row-a").count == 3)
        }
    }

    @Test("GET /__sandbox/stats is unsigned JSON matching stats(), and not counted itself")
    func statsEndpoint() async throws {
        try await SandboxHarness.with { h async throws in
            _ = try await h.createSession()
            _ = try await h.send(.GET, url: h.sandbox.idvBaseURL + "/sessions/x")  // unsigned: 401
            let reply = try await h.send(.GET, url: h.sandbox.statsURL)
            #expect(reply.status == 200)
            let decoded = try JSONDecoder().decode(SandboxStats.self, from: Data(reply.body))
            #expect(decoded == h.sandbox.stats())
            #expect(decoded.requestsByStatus == ["201": 1, "401": 1])
            #expect(decoded.signaturesRejected == 1)
            #expect(reply.json?["sessions_per_user_tracking_id"]?["harness-row-1"]?.int64Value == 1)
        }
    }

    @Test("reset() forgets sessions and counters but keeps the behaviour")
    func reset() async throws {
        try await SandboxHarness.with(behaviour: .latency(.milliseconds(1))) { h async throws in
            let created = try #require(try await h.createSession().created)
            h.sandbox.reset()
            #expect(h.sandbox.session(id: created.sessionID) == nil)
            #expect(h.sandbox.stats().sessionsCreated == 0)
            #expect(h.sandbox.stats().requestsByStatus.isEmpty)
            #expect(h.sandbox.behaviour == .latency(.milliseconds(1)))
        }
    }

    @Test("only the most recent specs are retained, sessions stay")
    func specRetention() async throws {
        try await SandboxHarness.with(options: .init(specRetentionLimit: 2)) { h async throws in
            var ids: [String] = []
            for index in 0..<3 {
                let spec = SandboxHarness.spec(userTrackingID: "row-\(index)")
                ids.append(try #require(try await h.createSession(spec).created).sessionID)
            }
            #expect(h.sandbox.session(id: ids[0])?.spec == nil)
            #expect(h.sandbox.session(id: ids[0])?.userTrackingID == "row-0")
            #expect(h.sandbox.session(id: ids[2])?.spec == SandboxHarness.spec(userTrackingID: "row-2"))
        }
    }

    @Test("debug logs carry no token, digest, notification auth_token or Sign API key")
    func logsHaveNoSecrets() async throws {
        let capture = LogCapture()
        var logger = Logger(label: "sandbox-test") { _ in capture.handler() }
        logger.logLevel = .trace
        try await SandboxHarness.with(options: .init(logger: logger)) { h async throws in
            var spec = SandboxHarness.minimalSpec
            if case .object(var object) = spec {
                object["notifications"] = [
                    "endpoint": "https://example.com/hook", "auth_token": "notification-secret-31d9",
                    "topics": ["SESSION_COMPLETION"],
                ]
                spec = .object(object)
            }
            let signed = try h.signer.sign(method: "POST", path: "/sessions", body: spec.jsonBytes())
            let token = try #require(try await h.send(signed).created).clientSessionToken
            _ = try await h.send(signed)  // replay: rejected, logged
            _ = try await h.sign(.GET)
            let text = capture.text
            #expect(text.contains("sandbox answered"))
            for secret in [token, signed.digest, "notification-secret-31d9", SandboxHarness.signAPIKey] {
                #expect(!text.contains(secret))
            }
        }
    }
}
