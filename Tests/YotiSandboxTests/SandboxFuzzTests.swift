import Foundation
import NIOHTTP1
import Testing
import YotiAPI

@testable import YotiSandbox

#if canImport(Glibc)
    import Glibc
#endif

/// Fuzz-style (seeded) tests of the sandbox's request handling: random and mutated requests — in
/// process through its request logic, and as raw bytes over loopback TCP — never crash it, always get
/// a well-formed 2xx or 4xx answer (a healthy sandbox has no 5xx to give) or a closed connection, and
/// leave it serving.
@Suite("Sandbox request fuzz")
struct SandboxFuzzTests {
    static let paths = [
        "/idverify/v1/sessions", "/idverify/v1/sessions/s-1", "/idverify/v1/sessions/s-1/configuration",
        "/idverify/v1/sessions/s-1/instructions", "/idverify/v1/sessions/s-1/instructions/pdf",
        "/idverify/v1/supported-documents", "/v2/idv/sessions/configs", "/__sandbox/stats", "/", "",
    ]
    static let methods: [HTTPMethod] = [.GET, .POST, .PUT, .DELETE, .PATCH, .HEAD, .OPTIONS, .RAW(value: "BREW")]
    static let junk = [
        "?", "&", "=", "%", "%zz", "%00", "/..", "//", "?sdkId=", "&nonce=", "&timestamp=-1", "é", "\u{7F}", ";", "#",
    ]

    static func uri(using random: inout SplitMix64) -> String {
        var uri = paths.randomElement(using: &random)!
        for _ in 0..<Int.random(in: 0...4, using: &random) { uri += junk.randomElement(using: &random)! }
        return uri
    }

    static func body(using random: inout SplitMix64) -> [UInt8] {
        var body = Array(SandboxHarness.minimalSpec.jsonString().utf8)
        switch Int.random(in: 0..<4, using: &random) {
        case 0:
            return (0..<Int.random(in: 0...200, using: &random)).map { _ in UInt8.random(in: 0...255, using: &random) }
        case 1:
            for _ in 0..<Int.random(in: 1...6, using: &random) {
                body[Int.random(in: 0..<body.count, using: &random)] = UInt8.random(in: 0...255, using: &random)
            }
            return body
        case 2: return Array(body.prefix(Int.random(in: 0..<body.count, using: &random)))
        default: return Array(RandomSpec.mutated(using: &random).jsonString().utf8)
        }
    }

    static func headers(using random: inout SplitMix64) -> HTTPHeaders {
        var headers = HTTPHeaders()
        let names = ["X-Yoti-Auth-Digest", "X-Yoti-SDK", "Authorization", "Content-Type", "Content-Length"]
        let values = ["", "Bearer ", "Bearer sandbox-test-sign-key-7f3a", "abc==", "application/json", "-1", "\u{1}"]
        for _ in 0..<Int.random(in: 0...4, using: &random) {
            headers.add(name: names.randomElement(using: &random)!, value: values.randomElement(using: &random)!)
        }
        return headers
    }

    @Test("2,500 random requests through the request logic, one in 25 correctly signed: always a 2xx or 4xx")
    func requestLogic() async throws {
        let core = SandboxCore(
            configuration: SandboxConfiguration(
                applications: [try SandboxHarness.testApplication()], signAPIKeys: [SandboxHarness.signAPIKey]))
        let signer = try SandboxHarness.signer()
        var random = SplitMix64(seed: 20_260_821)
        var statuses: [Int: Int] = [:]
        for index in 0..<2_500 {
            // CPU-bound: leave room on the cooperative pool for the sandboxes other suites are serving.
            await Task.yield()
            let body = Self.body(using: &random)
            var method = Self.methods.randomElement(using: &random)!
            var uri = Self.uri(using: &random)
            var headers = Self.headers(using: &random)
            if index % 25 == 0 {
                // Signed: the random body gets past the signature to the spec parser and validator.
                let signed = try signer.sign(method: "POST", path: "/sessions", body: body)
                method = .POST
                uri = "/idverify/v1" + signed.pathAndQuery
                headers = HTTPHeaders(signed.headers.map { ($0.name, $0.value) })
            }
            let ticket = core.begin(method: method, uri: uri)
            let action = core.finish(ticket, headers: headers, body: body)
            core.end(ticket)
            guard case .respond(let response) = action else {
                Issue.record("\(method) \(uri): a healthy sandbox answered with \(action)")
                continue
            }
            let status = Int(response.status.code)
            statuses[status, default: 0] += 1
            #expect((200..<500).contains(status), "\(method) \(uri) → \(status)")
            if index % 25 == 0 { #expect(status == 201 || status == 400, "signed POST /sessions → \(status)") }
        }
        #expect(statuses[201] ?? 0 > 0 && statuses[400] ?? 0 > 0 && statuses[401] ?? 0 > 0, "\(statuses)")
        #expect(core.state.withLock { $0.stats.concurrentRequests } == 0)
    }

    @Test(
        "200 connections of random and mangled bytes over loopback: a well-formed answer or a close; still serving after"
    )
    func rawBytesOverTCP() async throws {
        try await SandboxHarness.with { harness in
            let port = try #require(URL(string: harness.sandbox.idvBaseURL)?.port)
            var random = SplitMix64(seed: 77)
            var answered = 0
            for _ in 0..<200 {
                let request = Self.rawRequest(using: &random)
                let reply = try await Self.exchange(request, port: port)
                guard !reply.isEmpty else { continue }
                let line = String(decoding: reply.prefix(while: { $0 != 13 && $0 != 10 }), as: UTF8.self)
                let parts = line.split(separator: " ")
                #expect(parts.first == "HTTP/1.1" && parts.count >= 2, "not an HTTP answer: \(line)")
                if parts.count >= 2, let status = Int(parts[1]) {
                    #expect(
                        (200..<500).contains(status),
                        "\(line) for \(String(decoding: request.prefix(80), as: UTF8.self))")
                    answered += 1
                }
            }
            #expect(answered > 60)
            let created = try await harness.createSession()
            #expect(created.status == 201, "the sandbox must still serve after the fuzz")
            try await harness.waitUntil { harness.sandbox.stats().concurrentRequests == 0 }
            #expect(harness.sandbox.stats().concurrentRequests == 0)
        }
    }

    /// An HTTP/1.1 request with a random part mangled, or plain random bytes.
    static func rawRequest(using random: inout SplitMix64) -> [UInt8] {
        let body = Self.body(using: &random)
        var request =
            Array(
                ("\(methods.randomElement(using: &random)!.rawValue) \(uri(using: &random)) HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                    + "Content-Length: \(body.count)\r\nConnection: close\r\n\r\n").utf8) + body
        switch Int.random(in: 0..<5, using: &random) {
        case 0:
            request = (0..<Int.random(in: 1...400, using: &random)).map { _ in UInt8.random(in: 0...255, using: &random)
            }
        case 1: request[Int.random(in: 0..<request.count, using: &random)] = UInt8.random(in: 0...255, using: &random)
        case 2: request = Array(request.prefix(Int.random(in: 1..<request.count, using: &random)))
        case 3: request.insert(contentsOf: Array("X-Junk: \u{0}\u{7F}\r\n".utf8), at: min(request.count, 18))
        default: break
        }
        return request
    }

    /// Connects, writes `request`, half-closes and reads the answer until the server closes (5 s at most).
    static func exchange(_ request: [UInt8], port: Int) async throws -> [UInt8] {
        try await withCheckedThrowingContinuation { continuation in
            DispatchQueue(label: "fuzz.socket").async {
                let descriptor = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
                defer { close(descriptor) }
                var address = sockaddr_in()
                address.sin_family = sa_family_t(AF_INET)
                address.sin_addr.s_addr = inet_addr("127.0.0.1")
                address.sin_port = in_port_t(UInt16(port).bigEndian)
                var timeout = timeval(tv_sec: 5, tv_usec: 0)
                setsockopt(descriptor, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
                let connected = withUnsafePointer(to: &address) {
                    $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                        connect(descriptor, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) == 0
                    }
                }
                guard connected else { return continuation.resume(throwing: CocoaError(.fileReadUnknown)) }
                _ = request.withUnsafeBytes { send(descriptor, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
                shutdown(descriptor, Int32(SHUT_WR))
                var reply: [UInt8] = []
                var buffer = [UInt8](repeating: 0, count: 4_096)
                while true {
                    let count = buffer.withUnsafeMutableBytes { recv(descriptor, $0.baseAddress, $0.count, 0) }
                    if count <= 0 { break }
                    reply += buffer.prefix(count)
                }
                continuation.resume(returning: reply)
            }
        }
    }
}

/// Specs with random members changed: valid-looking bodies that reach the validator.
enum RandomSpec {
    static func mutated(using random: inout SplitMix64) -> JSONValue {
        guard case .object(var members) = SandboxHarness.minimalSpec else { return SandboxHarness.minimalSpec }
        let keys = [
            "client_session_token_ttl", "resources_ttl", "requested_checks", "user_tracking_id", "sdk_config", "x_new",
        ]
        let values: [JSONValue] = [
            .null, .integer(-1), .integer(0), .integer(Int64.max), .double(1e300), .string(""),
            .string("NOT_A_CHECK"), .array([.object(["type": .integer(3)])]), .object([:]), .bool(true),
        ]
        for _ in 0..<Int.random(in: 1...3, using: &random) {
            members[keys.randomElement(using: &random)!] = values.randomElement(using: &random)!
        }
        return .object(members)
    }
}
