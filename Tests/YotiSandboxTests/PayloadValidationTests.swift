import Foundation
import TestSupport
import Testing
import YotiAPI
import YotiSandbox

@Suite("Sandbox payload validation and create answers")
struct PayloadValidationTests {
    @Test("a body that is not JSON answers 400 MALFORMED_REQUEST and creates nothing")
    func malformedJSON() async throws {
        try await SandboxHarness.with { h async throws in
            let reply = try await h.idv("POST", "/sessions", body: Array("{\"client_session_token_ttl\": 6".utf8))
            #expect(reply.status == 400)
            #expect(reply.error?.code == "MALFORMED_REQUEST")
            #expect(h.sandbox.stats().sessionsCreated == 0)
        }
    }

    @Test("every spec problem comes back at once as PAYLOAD_VALIDATION errors[] with JSON paths")
    func payloadValidation() async throws {
        try await SandboxHarness.with { h async throws in
            let spec: JSONValue = [
                "client_session_token_ttl": 200,
                "resources_ttl": 90_000,
                "requested_checks": [["type": "ID_DOCUMENT_AUTHENTICITY", "config": ["manual_check": 3]]],
                "sdk_config": ["primary_colour": "red"],
            ]
            let reply = try await h.createSession(spec)
            #expect(reply.status == 400)
            let error = try #require(reply.error)
            #expect(error.code == "PAYLOAD_VALIDATION")
            let properties = Set((error.errors ?? []).compactMap(\.property))
            #expect(
                properties.isSuperset(of: [
                    "client_session_token_ttl", "requested_checks[0].config.manual_check", "sdk_config.primary_colour",
                ]))
            #expect(h.sandbox.stats().sessionsCreated == 0)
            #expect(h.sandbox.stats().requests(withStatus: 400) == 1)
        }
    }

    @Test(
        "201 answers the requested ttl minus one (600 when absent), fresh ids each time",
        arguments: [(Int64?.some(600), 599), (nil, 599), (3600, 3599)] as [(Int64?, Int)])
    func ttlAnswer(requested: Int64?, answered: Int) async throws {
        try await SandboxHarness.with { h async throws in
            let first = try #require(try await h.createSession(SandboxHarness.spec(ttl: requested)).created)
            let second = try #require(try await h.createSession(SandboxHarness.spec(ttl: requested)).created)
            #expect(first.clientSessionTokenTTL == answered)
            #expect(first.sessionID != second.sessionID)
            #expect(first.clientSessionToken != second.clientSessionToken)
            #expect(UUID(uuidString: first.sessionID) != nil)
        }
    }

    @Test("a session_deadline one hour ahead answers about 3600 s and echoes the deadline")
    func deadline() async throws {
        try await SandboxHarness.with { h async throws in
            let deadline = Date().addingTimeInterval(3600).formatted(.iso8601)
            var spec = SandboxHarness.spec(ttl: nil)
            if case .object(var object) = spec {
                object["session_deadline"] = .string(deadline)
                spec = .object(object)
            }
            let created = try #require(try await h.createSession(spec).created)
            #expect((3590...3600).contains(created.clientSessionTokenTTL))
            #expect(created.sessionDeadline == deadline)
        }
    }
}

/// The sandbox accepts what Yoti accepts: values of open vocabularies it does not know included.
@Suite("Sandbox accepts SDK-built specs")
struct SandboxSDKCorpusTests {
    static let corpus: [String] = {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: SharedPaths.sdkSpecCorpus.path)) ?? []
        return names.filter { $0.hasSuffix(".json") }.sorted()
    }()

    @Test("every spec of the SDK corpus creates a session, unknown values included", arguments: corpus)
    func accepted(name: String) async throws {
        let data = try Data(contentsOf: SharedPaths.sdkSpecCorpus.appendingPathComponent(name))
        let spec = try JSONValue(jsonBytes: Array(data))
        try await SandboxHarness.with { h async throws in
            let reply = try await h.createSession(spec)
            #expect(reply.status == 201, "\(name): \(reply.error.map { "\($0)" } ?? "")")
            #expect(reply.created != nil)
        }
    }

    @Test("the corpus is there")
    func corpusPresent() {
        #expect(Self.corpus.count >= 6)
    }
}
