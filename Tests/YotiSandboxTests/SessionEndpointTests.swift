import Foundation
import TestSupport
import Testing
import YotiAPI
import YotiSandbox

@Suite("Sandbox session endpoints")
struct SessionEndpointTests {
    @Test("GET answers a plausible session result; unknown ids answer 404")
    func getSession() async throws {
        try await SandboxHarness.with { h async throws in
            let created = try #require(try await h.createSession().created)
            let reply = try await h.idv("GET", "/sessions/\(created.sessionID)")
            #expect(reply.status == 200)
            let result = try #require(reply.json)
            #expect(result["state"]?.stringValue == "ONGOING")
            #expect(result["user_tracking_id"]?.stringValue == "harness-row-1")
            // The minimal spec requests no check: the sandbox reports the default document check, not started.
            let checks = try #require(result["checks"]?.arrayValue)
            #expect(checks.count == 1 && checks[0]["state"]?.stringValue == "PENDING" && checks[0]["report"] == nil)
            #expect(result["resources"]?.objectValue != nil)
            #expect((590...599).contains(result["client_session_token_ttl"]?.int64Value ?? -1))
            #expect(try await h.idv("GET", "/sessions/\(UUID())").status == 404)
        }
    }

    @Test("a created session records when its 201 was written, after the latency and no earlier than its creation")
    func answeredAt() async throws {
        try await SandboxHarness.with(behaviour: SandboxBehaviour(latency: .milliseconds(50))) { h async throws in
            let sent = Date()
            let created = try #require(try await h.createSession().created)
            let received = Date()
            let session = try #require(h.sandbox.session(id: created.sessionID))
            let answeredAt = try #require(session.answeredAt, "a written 201 sets answeredAt")
            #expect(answeredAt >= session.createdAt)
            #expect(answeredAt.timeIntervalSince(sent) >= 0.045, "answered only once the latency had passed")
            #expect(answeredAt <= received.addingTimeInterval(0.001))
        }
    }

    @Test("DELETE removes the session; with the conflict behaviour it answers 409 and keeps it")
    func delete() async throws {
        try await SandboxHarness.with { h async throws in
            let kept = try #require(try await h.createSession().created)
            try h.sandbox.setBehaviour(SandboxBehaviour(deleteAnswersConflict: true))
            let conflict = try await h.idv("DELETE", "/sessions/\(kept.sessionID)")
            #expect(conflict.status == 409)
            #expect(h.sandbox.session(id: kept.sessionID) != nil)

            try h.sandbox.setBehaviour(.healthy)
            let deleted = try await h.idv("DELETE", "/sessions/\(kept.sessionID)")
            #expect(deleted.status == 204)
            #expect(try await h.idv("GET", "/sessions/\(kept.sessionID)").status == 404)
            #expect(try await h.idv("DELETE", "/sessions/\(kept.sessionID)").status == 404)
            #expect(h.sandbox.stats().sessionsDeleted == 1)
            #expect(h.sandbox.stats().sessionsStored == 0)
        }
    }

    @Test("a session is invisible to another application")
    func otherApplication() async throws {
        let other = try SandboxApplication(sdkID: "other-app", keyFile: SharedPaths.sdkTestKeyPath)
        try await SandboxHarness.with(applications: [try SandboxHarness.testApplication(), other]) { h async throws in
            let created = try #require(try await h.createSession().created)
            let otherSigner = RequestSigner(
                sdkID: "other-app", key: try YotiPrivateKey(contentsOfFile: SharedPaths.sdkTestKeyPath))
            let reply = try await h.send(otherSigner.sign(method: "GET", path: "/sessions/\(created.sessionID)"))
            #expect(reply.status == 404)
        }
    }

    @Test("IBV flow: configuration ids, instructions, PDF letter and email")
    func instructionsFlow() async throws {
        try await SandboxHarness.with { h async throws in
            let created = try #require(try await h.createSession().created)
            let base = "/sessions/\(created.sessionID)"
            #expect(try await h.idv("GET", base + "/instructions/pdf").status == 204)

            let configuration = try #require(try await h.idv("GET", base + "/configuration").json)
            let requirement = try #require(configuration["capture"]?["required_resources"]?[0]?["id"]?.stringValue)
            let bad: JSONValue = ["documents": [["requirement_id": "not-a-requirement"]]]
            let rejected = try await h.idv("PUT", base + "/instructions", body: bad.jsonBytes())
            #expect(rejected.status == 400)
            #expect(rejected.error?.errors?.first?.property == "documents[0].requirement_id")

            let instructions: JSONValue = [
                "contact_profile": ["first_name": "Ada", "last_name": "Lovelace", "email": "ada@example.com"],
                "documents": [["requirement_id": .string(requirement), "document": ["type": "ID_DOCUMENT"]]],
                "branch": ["type": "UK_POST_OFFICE", "fad_code": "1234567"],
            ]
            #expect(try await h.idv("PUT", base + "/instructions", body: instructions.jsonBytes()).status == 200)
            let pdf = try await h.idv("GET", base + "/instructions/pdf")
            #expect(pdf.status == 200)
            #expect(pdf.headers.first(name: "Content-Type") == "application/pdf")
            #expect(pdf.body.starts(with: Array("%PDF-".utf8)))
            #expect(String(decoding: pdf.body.suffix(7), as: UTF8.self).contains("%%EOF"))
            #expect(try await h.idv("POST", base + "/instructions/email").status == 200)
        }
    }

    @Test("after the token expires: instructions answer 409, GET says EXPIRED with ttl 0")
    func expiry() async throws {
        try await SandboxHarness.with { h async throws in
            let created = try #require(try await h.createSession().created)
            h.sandbox.advanceClock(by: .seconds(600))
            let base = "/sessions/\(created.sessionID)"
            let put = try await h.idv("PUT", base + "/instructions", body: JSONValue.object([:]).jsonBytes())
            #expect(put.status == 409)
            let result = try #require(try await h.idv("GET", base).json)
            #expect(result["state"]?.stringValue == "EXPIRED")
            #expect(result["client_session_token_ttl"]?.int64Value == 0)
            h.sandbox.completeSession(id: created.sessionID)
            #expect(try await h.idv("GET", base).json?["state"]?.stringValue == "COMPLETED")
        }
    }

    @Test("after the token expires: GET /sessions/{id}/configuration answers 409, as the instructions")
    func configurationOfExpiredSession() async throws {
        try await SandboxHarness.with { h async throws in
            let created = try #require(try await h.createSession().created)
            let base = "/sessions/\(created.sessionID)"
            #expect(try await h.idv("GET", base + "/configuration").status == 200)
            h.sandbox.advanceClock(by: .seconds(600))
            let expired = try await h.idv("GET", base + "/configuration")
            #expect(expired.status == 409)
            #expect(expired.error?.code == "SESSION_EXPIRED")
            #expect(try await h.idv("POST", base + "/instructions/email").status == 409)
        }
    }

    /// Creates a session (subscribed to `topics`), puts valid instructions for `email`; returns its path.
    static func sessionWithInstructions(_ h: SandboxHarness, topics: [String], email: String) async throws -> String {
        var spec = SandboxHarness.minimalSpec
        if case .object(var object) = spec {
            object["notifications"] = [
                "endpoint": "https://example.com/hook", "auth_token": "notification-secret-77aa",
                "topics": .array(topics.map { .string($0) }),
            ]
            spec = .object(object)
        }
        let created = try #require(try await h.createSession(spec).created)
        let base = "/sessions/\(created.sessionID)"
        let configuration = try #require(try await h.idv("GET", base + "/configuration").json)
        let requirement = try #require(configuration["capture"]?["required_resources"]?[0]?["id"]?.stringValue)
        let instructions: JSONValue = [
            "contact_profile": ["first_name": "Ada", "last_name": "Lovelace", "email": .string(email)],
            "documents": [["requirement_id": .string(requirement), "document": ["type": "ID_DOCUMENT"]]],
        ]
        #expect(try await h.idv("PUT", base + "/instructions", body: instructions.jsonBytes()).status == 200)
        return base
    }

    @Test("the PUT emails nobody; POST …/instructions/email emails the contact address, counted per session")
    func emailOnlyWhenAsked() async throws {
        try await SandboxHarness.with { h async throws in
            let base = try await Self.sessionWithInstructions(
                h, topics: ["SESSION_COMPLETION"], email: "ada@example.com")
            let id = String(base.dropFirst("/sessions/".count))
            let session = try #require(h.sandbox.session(id: id))
            #expect(!session.subscribesToEmailRequests)
            #expect(session.lettersEmailed == [], "a PUT alone must email nobody")
            #expect(session.instructionsPut == 1)
            #expect(h.sandbox.stats().lettersEmailed == 0)
            #expect(try await h.idv("POST", base + "/instructions/email").status == 200)
            #expect(h.sandbox.session(id: id)?.lettersEmailed == [.init(to: "ada@example.com")])
            let stats = h.sandbox.stats()
            #expect(stats.lettersEmailed == 1 && stats.lettersEmailedPerSession == [id: 1])
            #expect(stats.emailRequestsNotified == 0)
            // Asked twice, emailed twice: the stats show the duplicate.
            #expect(try await h.idv("POST", base + "/instructions/email").status == 200)
            #expect(h.sandbox.stats().lettersEmailedPerSession == [id: 2])
        }
    }

    @Test("INSTRUCTIONS_EMAIL_REQUESTED subscribed: the email request emails nobody and notifies the endpoint")
    func emailRequestNotifies() async throws {
        try await SandboxHarness.with { h async throws in
            let base = try await Self.sessionWithInstructions(
                h, topics: ["INSTRUCTIONS_EMAIL_REQUESTED", "SESSION_COMPLETION"], email: "grace@example.com")
            let id = String(base.dropFirst("/sessions/".count))
            #expect(h.sandbox.session(id: id)?.subscribesToEmailRequests == true)
            #expect(try await h.idv("POST", base + "/instructions/email").status == 200)
            #expect(h.sandbox.session(id: id)?.lettersEmailed == [])
            #expect(h.sandbox.session(id: id)?.emailRequestsNotified == 1)
            let stats = h.sandbox.stats()
            #expect(stats.lettersEmailed == 0 && stats.emailRequestsNotified == 1)
            // The notification goes to the spec's endpoint (unreachable here: the attempt is what counts).
            try await h.waitUntil { h.sandbox.stats().notificationAttempts >= 1 }
            #expect(h.sandbox.stats().notificationAttempts >= 1)
        }
    }

    @Test("instructions leaving a document requirement without a document: 400 naming the requirement id")
    func documentRequired() async throws {
        try await SandboxHarness.with { h async throws in
            let created = try #require(try await h.createSession().created)
            let base = "/sessions/\(created.sessionID)"
            let configuration = try #require(try await h.idv("GET", base + "/configuration").json)
            let requirement = try #require(configuration["capture"]?["required_resources"]?[0]?["id"]?.stringValue)
            let instructions: JSONValue = [
                "contact_profile": ["first_name": "Ada", "last_name": "Lovelace", "email": "ada@example.com"]
            ]
            let reply = try await h.idv("PUT", base + "/instructions", body: instructions.jsonBytes())
            #expect(reply.status == 400)
            #expect(reply.error?.code == "PAYLOAD_VALIDATION")
            let messages = (reply.error?.errors ?? []).compactMap(\.message)
            #expect(messages.contains { $0.contains(requirement) }, "\(messages)")
            #expect(h.sandbox.session(id: created.sessionID)?.hasInstructions == false)
        }
    }

    @Test("unknown paths answer 404 and wrong methods 405, unsigned")
    func routing() async throws {
        try await SandboxHarness.with { h async throws in
            #expect(try await h.send(.GET, url: h.sandbox.idvBaseURL + "/nothing-here").status == 404)
            #expect(try await h.send(.PATCH, url: h.sandbox.idvBaseURL + "/sessions").status == 405)
        }
    }
}
