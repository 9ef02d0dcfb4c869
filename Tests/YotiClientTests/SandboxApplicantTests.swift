import Foundation
import TestSupport
import Testing
import YotiAPI
import YotiClient
import YotiSandbox

/// The sandbox's simulated applicants: seeded fates, `GET /sessions/{id}` results as Yoti shapes them,
/// and notifications POSTed to the spec's endpoint with its auth (through the real client and a loopback receiver).
@Suite("Sandbox applicants and notifications")
struct SandboxApplicantTests {
    static let applicants = ApplicantSimulation(
        completeShare: 0.6, expireShare: 0.2, delay: .zero,
        recommendationMix: .init(approve: 1, reject: 1, notAvailable: 1))

    static func spec(_ tracking: String, notifications: JSONValue? = nil) -> JSONValue {
        guard case .object(var members) = ClientAgainstSandboxTests.spec(userTrackingID: tracking) else { return [:] }
        members["requested_checks"] = [["type": "ID_DOCUMENT_AUTHENTICITY"], ["type": "LIVENESS"]]
        if let notifications { members["notifications"] = notifications }
        return .object(members)
    }

    /// Creates sessions for `client-0` … and returns (user tracking id, state, recommendation) of each, by GET.
    static func fates(seed: UInt64, count: Int) async throws -> [String: String] {
        var fates: [String: String] = [:]
        try await ClientAgainstSandboxTests.withClient(behaviour: SandboxBehaviour(seed: seed, applicants: applicants))
        {
            sandbox, client in
            for index in 0..<count {
                let created = try await client.createSession(Self.spec("client-\(index)")).response
                let result = SessionResultView(try await client.getSession(id: created.sessionID))
                fates["client-\(index)"] = result.summary
            }
            #expect(sandbox.stats().sessionStates.values.reduce(0, +) == count)
        }
        return fates
    }

    @Test("the same seed gives the same fates; GET shows DONE checks with recommendations, PENDING ones while ongoing")
    func seededFates() async throws {
        let first = try await Self.fates(seed: 99, count: 60)
        let second = try await Self.fates(seed: 99, count: 60)
        #expect(first == second)
        let kinds = Set(first.values.map { $0.split(separator: " ").first.map(String.init) ?? "" })
        #expect(kinds == ["ONGOING", "COMPLETED", "EXPIRED"])
        let recommendations = Set(first.values.filter { $0.hasPrefix("COMPLETED") })
        #expect(recommendations.count == 3)
    }

    @Test("a completed session's notification reaches the spec's endpoint with Basic or Bearer auth; a 500 is retried")
    func notifications() async throws {
        let receiver = try await ScriptedHTTPServer.start(.respond(status: 204, headers: [], body: []))
        let endpoint = "http://127.0.0.1:\(receiver.port)/yoti/notifications"
        let behaviour = SandboxBehaviour(
            seed: 1, applicants: ApplicantSimulation(completeShare: 1, delay: .zero),
            notifications: NotificationDelivery(serverError: 0.3, retryDelay: .milliseconds(5)))
        try await ClientAgainstSandboxTests.withClient(behaviour: behaviour) { sandbox, client in
            var ids: [String] = []
            for (index, type) in ["BASIC", "BEARER"].enumerated() {
                let notifications: JSONValue = [
                    "endpoint": .string(endpoint), "topics": ["SESSION_COMPLETION"],
                    "auth_token": .string("tok-\(index)"), "auth_type": .string(type),
                ]
                ids.append(
                    try await client.createSession(Self.spec("n-\(index)", notifications: notifications)).response
                        .sessionID)
            }
            // Not asked for: no endpoint, or a topic list without SESSION_COMPLETION.
            _ = try await client.createSession(Self.spec("n-none"))
            _ = try await client.createSession(
                Self.spec("n-other", notifications: ["endpoint": .string(endpoint), "topics": ["RESOURCE_UPDATE"]]))

            let deadline = ContinuousClock.now + .seconds(10)
            while sandbox.stats().notificationsDelivered < 2 && ContinuousClock.now < deadline {
                try await Task.sleep(for: .milliseconds(20))
            }
            let stats = sandbox.stats()
            #expect(stats.notificationsDelivered == 2 && stats.notificationsAbandoned == 0)
            #expect(stats.notificationAttempts == 2 + stats.notificationFaults["500", default: 0])
            let received = receiver.received
            // A 500 attempt was sent too (the receiver saw it), then retried: the receiver sees replays.
            #expect(received.count == stats.notificationAttempts)
            for (index, id) in ids.enumerated() {
                let posts = received.filter { String(decoding: $0.body, as: UTF8.self).contains(id) }
                #expect(!posts.isEmpty)
                for post in posts {
                    #expect(post.method == "POST" && post.uri == "/yoti/notifications")
                    let body = try JSONDecoder().decode(JSONValue.self, from: Data(post.body))
                    #expect(body == ["session_id": .string(id), "topic": "session_completion"])
                    let expected =
                        index == 0 ? "Basic \(Data("tok-0".utf8).base64EncodedString())" : "Bearer tok-1"
                    #expect(post.header("Authorization") == expected)
                }
            }
        }
        try await receiver.stop()
    }

    @Test("an endpoint that refuses connections is retried, then given up")
    func refusedEndpoint() async throws {
        let refusing = try RefusingPort()
        let port = refusing.port
        defer { withExtendedLifetime(refusing) {} }
        let behaviour = SandboxBehaviour(
            applicants: ApplicantSimulation(completeShare: 1, delay: .zero),
            notifications: {
                var delivery = NotificationDelivery(maxAttempts: 3, retryDelay: .milliseconds(5))
                delivery.timeout = .milliseconds(300)
                return delivery
            }())
        try await ClientAgainstSandboxTests.withClient(behaviour: behaviour) { sandbox, client in
            _ = try await client.createSession(
                Self.spec("refused", notifications: ["endpoint": .string("http://127.0.0.1:\(port)/n")]))
            let deadline = ContinuousClock.now + .seconds(10)
            while sandbox.stats().notificationsAbandoned < 1 && ContinuousClock.now < deadline {
                try await Task.sleep(for: .milliseconds(20))
            }
            let stats = sandbox.stats()
            #expect(stats.notificationsAbandoned == 1 && stats.notificationAttempts == 3)
            #expect(stats.notificationFaults["error", default: 0] == 3 && stats.notificationsDelivered == 0)
        }
    }
}

/// A session result as a short string: `STATE` or `COMPLETED REJECT/COUNTERFEIT` (the first check's
/// recommendation; the others approve), checking the check states on the way.
struct SessionResultView {
    let summary: String

    init(_ json: JSONValue) {
        let state = json["state"]?.stringValue ?? "?"
        let checks = json["checks"]?.arrayValue ?? []
        switch state {
        case "COMPLETED":
            #expect(checks.count == 2 && checks.allSatisfy { $0["state"]?.stringValue == "DONE" })
            #expect(
                checks.dropFirst().allSatisfy { $0["report"]?["recommendation"]?["value"]?.stringValue == "APPROVE" })
            let first = checks.first?["report"]?["recommendation"]
            summary =
                "COMPLETED \(first?["value"]?.stringValue ?? "-")/\(first?["reason"]?.stringValue ?? "-")"
        case "ONGOING":
            #expect(
                checks.count == 2 && checks.allSatisfy { $0["state"]?.stringValue == "PENDING" && $0["report"] == nil })
            summary = state
        default:
            #expect(checks.isEmpty)
            summary = state
        }
    }
}
