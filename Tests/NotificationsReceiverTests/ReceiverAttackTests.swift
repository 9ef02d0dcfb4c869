import AsyncHTTPClient
import Foundation
import NIOCore
import NIOHTTP1
import NotificationsReceiver
import Testing

/// The receiver tried as an attacker would, each case against a real PostgreSQL: what is answered, what
/// is stored, and that the token never shows.
@Suite("Notifications receiver: requests", .timeLimit(.minutes(5)))
struct ReceiverAttackTests {
    @Test("no Authorization header: 401 with WWW-Authenticate, nothing stored")
    func noAuthorization() async throws {
        try await ReceiverHarness.withDatabase { harness in
            let reply = try await harness.post(ReceiverHarness.notification(session: "s-noauth"), authorization: nil)
            #expect(reply.status == 401)
            let challenge = try #require(reply.headers.first(name: "WWW-Authenticate"))
            #expect(challenge.contains("Basic") && challenge.contains("Bearer"))
            #expect(try await harness.rowCount() == 0)
        }
    }

    @Test(
        "a wrong token is refused in either scheme",
        arguments: [
            "Bearer not-the-token", "Basic " + Data("not-the-token".utf8).base64EncodedString(),
            "Bearer " + ReceiverHarness.token + "x", "Bearer " + String(ReceiverHarness.token.dropLast()),
            "Basic !!!not-base64!!!", "Bearer ",
        ])
    func wrongToken(authorization: String) async throws {
        try await ReceiverHarness.withDatabase { harness in
            let reply = try await harness.post(
                ReceiverHarness.notification(session: "s-wrong"), authorization: authorization)
            #expect(reply.status == 401)
            #expect(reply.headers.first(name: "WWW-Authenticate") != nil)
            #expect(try await harness.rowCount() == 0)
        }
    }

    @Test(
        "a scheme other than Basic or Bearer is refused, even with the right token",
        arguments: ["Digest " + ReceiverHarness.token, "Token " + ReceiverHarness.token, ReceiverHarness.token])
    func wrongScheme(authorization: String) async throws {
        try await ReceiverHarness.withDatabase { harness in
            let reply = try await harness.post(
                ReceiverHarness.notification(session: "s-scheme"), authorization: authorization)
            #expect(reply.status == 401)
            #expect(try await harness.rowCount() == 0)
        }
    }

    @Test("--auth-type basic refuses Bearer (and accepts Basic)")
    func onlyBasicAccepted() async throws {
        try await ReceiverHarness.withDatabase(adjust: { $0.schemes = [.basic] }) { harness in
            let bearer = try await harness.post(ReceiverHarness.notification(session: "s-only-basic"))
            #expect(bearer.status == 401)
            #expect(bearer.headers.first(name: "WWW-Authenticate")?.contains("Bearer") == false)
            let basic = try await harness.post(
                ReceiverHarness.notification(session: "s-only-basic"), authorization: ReceiverHarness.basic)
            #expect(basic.status == 202)
            #expect(try await harness.rowCount() == 1)
        }
    }

    @Test(
        "Basic and Bearer with the token are accepted and stored",
        arguments: [ReceiverHarness.basic, ReceiverHarness.bearer, "bearer " + ReceiverHarness.token])
    func goodAuthorization(authorization: String) async throws {
        try await ReceiverHarness.withDatabase { harness in
            let reply = try await harness.post(
                ReceiverHarness.notification(session: "s-good", extra: ",\"check_id\":\"c-1\""),
                authorization: authorization)
            #expect(reply.status == 202)
            #expect(reply.body.contains("accepted"))
            let rows = try await harness.pool.query(
                "SELECT topic, check_id, task_id, body->>'session_id' AS body_session FROM idv.notifications")
            #expect(rows.count == 1)
            #expect(try rows[0].decode(String.self, "topic") == "session_completion")
            #expect(try rows[0].decode(String?.self, "check_id") == "c-1")
            #expect(try rows[0].decode(String?.self, "task_id") == nil)
            #expect(try rows[0].decode(String.self, "body_session") == "s-good")
        }
    }

    @Test("a body over the limit is answered 413, declared or streamed, and not stored")
    func hugeBody() async throws {
        try await ReceiverHarness.withDatabase(adjust: { $0.maxBodyBytes = 1024 }) { harness in
            let padding = String(repeating: "x", count: 1 << 20)
            let huge = ReceiverHarness.notification(session: "s-huge", extra: ",\"padding\":\"\(padding)\"")
            #expect(try await harness.post(huge).status == 413)
            // Just over the limit, and a chunked upload with no Content-Length.
            let over = ReceiverHarness.notification(
                session: "s-huge", extra: ",\"padding\":\"\(String(repeating: "y", count: 1000))\"")
            #expect(try await harness.post(over).status == 413)
            var request = HTTPClientRequest(url: "http://127.0.0.1:\(harness.port)/notifications")
            request.method = .POST
            request.headers.add(name: "Authorization", value: ReceiverHarness.bearer)
            let chunks = [Array(huge.utf8.prefix(600)), Array(huge.utf8.dropFirst(600).prefix(600))]
            request.body = .stream(
                AsyncStream { continuation in
                    for chunk in chunks { continuation.yield(ByteBuffer(bytes: chunk)) }
                    continuation.finish()
                }, length: .unknown)
            let response = try await harness.http.execute(request, timeout: .seconds(30))
            #expect(response.status.code == 413)
            #expect(try await harness.rowCount() == 0)
            // The same connection pool still serves a good one afterwards.
            #expect(try await harness.post(ReceiverHarness.notification(session: "s-after-huge")).status == 202)
        }
    }

    @Test(
        "malformed or incomplete bodies get 400 with a short JSON error and are not stored",
        arguments: [
            "", "{", "not json", "[]", "\"session_completion\"", "{\"topic\":\"session_completion\"}",
            "{\"session_id\":\"s-1\"}", "{\"session_id\":42,\"topic\":\"session_completion\"}",
            "{\"session_id\":\"s-1\",\"topic\":true}", "{\"session_id\":\"\",\"topic\":\"session_completion\"}",
            "{\"session_id\":\"s-1\",\"topic\":\"session_completion\",\"check_id\":7}",
            "{\"session_id\":\"\(String(repeating: "a", count: 257))\",\"topic\":\"session_completion\"}",
            "{\"session_id\":\"s-1\",\"topic\":\"\(String(repeating: "t", count: 65))\"}",
            "{\"session_id\":\"s-\\u0000\",\"topic\":\"session_completion\"}",
            "{\"session_id\":\"s-1\",\"topic\":\"session_completion\",\"note\":\"\\u0000\"}",
        ])
    func malformedBody(body: String) async throws {
        try await ReceiverHarness.withDatabase { harness in
            let reply = try await harness.post(body)
            #expect(reply.status == 400, "\(body.prefix(80)) → \(reply.status) \(reply.body)")
            let error = try JSONSerialization.jsonObject(with: Data(reply.body.utf8)) as? [String: Any]
            #expect(error?["error"] is String)
            #expect(reply.body.count < 200)
            #expect(try await harness.rowCount() == 0)
        }
    }

    @Test("an unknown topic is accepted (2xx), stored, and logged as a warning")
    func unknownTopic() async throws {
        try await ReceiverHarness.withDatabase { harness in
            let reply = try await harness.post(ReceiverHarness.notification(session: "s-new", topic: "brand_new_topic"))
            #expect(reply.status == 202)
            #expect(try await harness.stored(session: "s-new").map(\.topic) == ["brand_new_topic"])
            let warnings = try harness.logs.objects().filter { $0["level"] as? String == "warning" }
            #expect(warnings.contains { ($0["msg"] as? String)?.contains("topic") == true })
        }
    }

    @Test("a replay is stored once and counted: received_count 2, last_received_at moved")
    func replay() async throws {
        try await ReceiverHarness.withDatabase { harness in
            let body = ReceiverHarness.notification(session: "s-replay", extra: ",\"task_id\":\"t-1\"")
            let first = try await harness.post(body)
            let second = try await harness.post(body, authorization: ReceiverHarness.basic)
            #expect(first.status == 202 && second.status == 202)
            #expect(second.body.contains("duplicate"))
            let rows = try await harness.pool.query(
                "SELECT received_count, last_received_at > received_at AS moved FROM idv.notifications")
            #expect(rows.count == 1)
            #expect(try rows[0].decode(Int.self, "received_count") == 2)
            #expect(try rows[0].decode(Bool.self, "moved"))
            // Another topic or task of the same session is another notification.
            #expect(try await harness.post(ReceiverHarness.notification(session: "s-replay")).status == 202)
            #expect(try await harness.rowCount() == 2)
        }
    }

    @Test("1,000 concurrent distinct posts: all accepted, exactly 1,000 rows")
    func concurrentDistinct() async throws {
        try await ReceiverHarness.withDatabase { harness in
            let statuses = try await Self.postConcurrently(harness, count: 1000) {
                ReceiverHarness.notification(session: "s-many-\($0)")
            }
            #expect(statuses == [202: 1000])
            #expect(try await harness.rowCount() == 1000)
        }
    }

    @Test("1,000 concurrent identical posts: all accepted, one row counted 1,000 times")
    func concurrentIdentical() async throws {
        try await ReceiverHarness.withDatabase { harness in
            let statuses = try await Self.postConcurrently(harness, count: 1000) { _ in
                ReceiverHarness.notification(session: "s-same")
            }
            #expect(statuses == [202: 1000])
            #expect(try await harness.stored(session: "s-same").map(\.count) == [1000])
        }
    }

    @Test("wrong method 405, unknown path 404, healthz 200, metrics count by outcome and reason")
    func methodsPathsHealthMetrics() async throws {
        try await ReceiverHarness.withDatabase { harness in
            let get = try await harness.send(.GET)
            #expect(get.status == 405 && get.headers.first(name: "Allow") == "POST")
            #expect(try await harness.send(.PUT, body: Array("{}".utf8)).status == 405)
            let postMetrics = try await harness.send(.POST, path: "/metrics", authorization: nil, body: [])
            #expect(postMetrics.status == 405 && postMetrics.headers.first(name: "Allow") == "GET")
            #expect(try await harness.send(.POST, path: "/other", body: Array("{}".utf8)).status == 404)
            // Paths match exactly: a trailing slash is another path.
            #expect(try await harness.send(.GET, path: "/healthz/", authorization: nil).status == 404)
            let health = try await harness.send(.GET, path: "/healthz", authorization: nil)
            #expect(health.status == 200)
            _ = try await harness.post(ReceiverHarness.notification(session: "s-m"))
            _ = try await harness.post(ReceiverHarness.notification(session: "s-m"))
            _ = try await harness.post("{", authorization: ReceiverHarness.bearer)
            _ = try await harness.post("{}", authorization: nil)
            let metrics = try await harness.send(.GET, path: "/metrics", authorization: nil)
            #expect(metrics.status == 200)
            for line in [
                "idv_notifications_received_total{outcome=\"accepted\"} 1",
                "idv_notifications_received_total{outcome=\"duplicate\"} 1",
                "idv_notifications_rejected_total{reason=\"bad_request\"} 1",
                "idv_notifications_rejected_total{reason=\"unauthorized\"} 1",
                "idv_notifications_rejected_total{reason=\"method\"} 3",
                "idv_notifications_unavailable_total 0",
            ] {
                #expect(metrics.body.contains(line), "\(line) in\n\(metrics.body)")
            }
            #expect(metrics.body.contains("idv_notifications_request_duration_seconds_count 6"))
        }
    }

    @Test("the token appears in no response and no log line, at trace level, whatever is sent")
    func tokenNeverShown() async throws {
        try await ReceiverHarness.withDatabase { harness in
            var replies: [String] = []
            for authorization in [
                nil, ReceiverHarness.bearer, ReceiverHarness.basic, "Bearer wrong", "Digest " + ReceiverHarness.token,
            ] {
                for body in ["{", ReceiverHarness.notification(session: "s-secret"), "{\"topic\":1}"] {
                    let reply = try await harness.post(body, authorization: authorization)
                    replies.append("\(reply.status) \(reply.headers) \(reply.body)")
                }
            }
            replies.append(try await harness.send(.GET, path: "/metrics", authorization: nil).body)
            let output = (replies + harness.logs.all).joined(separator: "\n")
            #expect(!harness.logs.all.isEmpty)
            let base64 = Data(ReceiverHarness.token.utf8).base64EncodedString()
            for secret in [ReceiverHarness.token, base64, String(ReceiverHarness.token.prefix(12))] {
                #expect(!output.contains(secret))
            }
            #expect(!output.lowercased().contains("authorization:"))
        }
    }

    /// Posts `count` bodies at once (one task each) and counts the answers by status.
    static func postConcurrently(
        _ harness: ReceiverHarness, count: Int, body: @escaping @Sendable (Int) -> String
    ) async throws -> [Int: Int] {
        try await withThrowingTaskGroup(of: Int.self) { group in
            for index in 0..<count {
                group.addTask { try await harness.post(body(index)).status }
            }
            var statuses: [Int: Int] = [:]
            for try await status in group { statuses[status, default: 0] += 1 }
            return statuses
        }
    }
}
