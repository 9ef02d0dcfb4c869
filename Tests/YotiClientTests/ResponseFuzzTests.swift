import Foundation
import NIOHTTP1
import Testing
import YotiAPI
import YotiSandbox

@testable import YotiClient

/// Fuzz-style (seeded) tests of the client's response handling: random and mutated statuses,
/// headers and bodies always end in exactly one classified outcome — never a crash, never an
/// unclassified error.
@Suite("Response handling fuzz")
struct ResponseFuzzTests {
    /// Bodies worth mutating: what Yoti and proxies really send.
    static let seeds: [[UInt8]] = [
        ClientTestSupport.createdBody,
        Array(#"{"code":"PAYLOAD_VALIDATION","message":"bad","errors":[{"property":"ttl","message":"too low"}]}"#.utf8),
        Array(#"{"code":"UNAUTHORIZED","message":"Unauthorized"}"#.utf8),
        Array("<html><body><h1>503 Service Unavailable</h1></body></html>".utf8),
        Array(#"{"session_id":"s","client_session_token_ttl":599,"client_sess"#.utf8),
        [],
    ]

    /// A random body: a seed with bytes flipped, cut, duplicated or spliced, or plain random bytes.
    static func body(using random: inout SplitMix64) -> [UInt8] {
        var bytes = seeds[Int(random.next() % UInt64(seeds.count))]
        switch random.next() % 5 {
        case 0:
            return (0..<Int(random.next() % 300)).map { _ in UInt8(truncatingIfNeeded: random.next()) }
        case 1 where !bytes.isEmpty:
            for _ in 0...(random.next() % 8) {
                bytes[Int(random.next() % UInt64(bytes.count))] = UInt8(truncatingIfNeeded: random.next())
            }
        case 2 where !bytes.isEmpty:
            bytes = Array(bytes.prefix(Int(random.next() % UInt64(bytes.count))))
        case 3:
            bytes += bytes.reversed()
        default:
            let other = seeds[Int(random.next() % UInt64(seeds.count))]
            bytes = Array(bytes.prefix(bytes.count / 2)) + Array(other.suffix(other.count / 2))
        }
        return bytes
    }

    /// Random response headers; `onTheWire` leaves out values an HTTP server refuses to send (control characters).
    static func headers(using random: inout SplitMix64, onTheWire: Bool = false) -> HTTPHeaders {
        var headers = HTTPHeaders()
        let types =
            ["application/json", "text/html; charset=utf-8", "application/problem+json", ""]
            + (onTheWire ? [] : ["\u{7F}junk"])
        if random.next() % 2 == 0 {
            headers.add(name: "Content-Type", value: types[Int(random.next() % UInt64(types.count))])
        }
        let retryAfters = [
            "1", "0", "-1", "99999999999999999999", "Wed, 21 Oct 2015 07:28:00 GMT", "soon", "", "1.5", "٣",
        ]
        if random.next() % 2 == 0 {
            headers.add(name: "Retry-After", value: retryAfters[Int(random.next() % UInt64(retryAfters.count))])
        }
        if random.next() % 2 == 0 { headers.add(name: "x-request-id", value: "rq-\(random.next())") }
        return headers
    }

    @Test("3,000 random responses: 2xx passes to parsing, anything else is one classified error with its status")
    func classifierAlwaysClassifies() async throws {
        var random = SplitMix64(seed: 8_808)
        let operation = YotiOperation.idv("POST /sessions")
        var classes: [String: Int] = [:]
        for _ in 0..<3_000 {
            // CPU-bound: leave room on the cooperative pool for the network tests running beside it.
            await Task.yield()
            let status = Int(random.next() % 1_000)
            let body = Self.body(using: &random)
            let error = YotiResponseClassifier.classify(
                status: status, headers: Self.headers(using: &random), body: body, operation: operation)
            guard let error else {
                #expect((200..<300).contains(status))
                // A 2xx is parsed by the caller: a body that is not a session is an unknown outcome, never a crash.
                if (try? JSONDecoder().decode(CreateSessionResponse.self, from: Data(body))) == nil {
                    let unreadable = YotiResponseClassifier.unreadableSuccess(
                        status: status, headers: [:], bodyLength: body.count, operation: operation)
                    #expect(unreadable.code == .unknownOutcome)
                }
                continue
            }
            #expect(!(200..<300).contains(status))
            #expect(error.status == status && !error.message.isEmpty)
            classes[error.code.description, default: 0] += 1
        }
        #expect(
            Set(classes.keys).isSuperset(of: [
                "permanent", "credentials", "rate_limited", "transient", "unknown_outcome",
            ]))
    }

    @Test("3,000 random and mutated bodies through the JSON parsers: a value or a thrown error, never a crash")
    func parsersNeverCrash() async {
        var random = SplitMix64(seed: 4_242)
        var parsed = 0
        for _ in 0..<3_000 {
            await Task.yield()
            let body = Self.body(using: &random)
            if (try? JSONValue(jsonBytes: body)) != nil { parsed += 1 }
            _ = try? JSONDecoder().decode(CreateSessionResponse.self, from: Data(body))
            _ = try? JSONDecoder().decode(YotiErrorBody.self, from: Data(body))
            _ = YotiResponseClassifier.parseErrorBody(body, contentType: nil)
        }
        #expect(parsed > 0, "some mutations should still be JSON")
    }

    @Test("60 random answers over loopback HTTP: created, or a YotiAPIError with a class; nothing else")
    func createSessionOverHTTP() async throws {
        var random = SplitMix64(seed: 1_207)
        var outcomes: [String: Int] = [:]
        for _ in 0..<60 {
            let status = [200, 201, 201, 400, 401, 404, 409, 429, 500, 502, 503, 504, 418, 302][Int(random.next() % 14)]
            let headers = Self.headers(using: &random, onTheWire: true).map { ($0.name, $0.value) }
            let body = random.next() % 4 == 0 ? ClientTestSupport.createdBody : Self.body(using: &random)
            let behaviour = ScriptedHTTPServer.Behaviour.respond(status: status, headers: headers, body: body)
            try await ClientTestSupport.withServer(behaviour) { client, _ in
                do {
                    let created = try await client.createSession(body: Array("{}".utf8))
                    #expect((200..<300).contains(status) && !created.response.sessionID.isEmpty)
                    outcomes["created", default: 0] += 1
                } catch let error as YotiAPIError {
                    outcomes[error.code.description, default: 0] += 1
                } catch {
                    Issue.record("status \(status): an unclassified \(type(of: error)): \(error)")
                }
            }
        }
        #expect(outcomes["created"] ?? 0 > 0 && outcomes.count > 3, "\(outcomes)")
    }
}
