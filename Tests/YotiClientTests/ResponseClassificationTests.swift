import Foundation
import NIOHTTP1
import Testing
import YotiAPI
import YotiClient

@Suite("Outcome classification: HTTP responses")
struct ResponseClassificationTests {
    /// Expected class per status; `nil` means success.
    static let statuses: [(Int, YotiAPIError.Code?)] = [
        (200, nil), (201, nil), (204, nil),
        (400, .permanent), (404, .permanent), (409, .permanent), (410, .permanent), (422, .permanent),
        (401, .credentials), (403, .credentials),
        (429, .rateLimited),
        (408, .transient), (500, .transient), (502, .transient), (503, .transient),
        (504, .unknownOutcome),
        (302, .permanent),
    ]

    /// Bodies Yoti (or something in front of it) may send, with the Yoti code expected from each.
    struct Body: Sendable, CustomStringConvertible {
        var name: String
        var contentType: String?
        var bytes: [UInt8]
        var yotiCode: String?
        var errorCount: Int
        var summary: String
        var description: String { name }
    }

    static let bodies: [Body] = [
        Body(
            name: "JSON error body", contentType: "application/json",
            bytes: Array(
                #"{"code":"PAYLOAD_VALIDATION","message":"There were errors","errors":[{"property":"requested_checks[0].type","message":"must not be null"},{"property":"sdk_config.primary_colour","message":"invalid"}],"extra":1}"#
                    .utf8),
            yotiCode: "PAYLOAD_VALIDATION", errorCount: 2, summary: "PAYLOAD_VALIDATION — There were errors"),
        Body(
            name: "HTML page", contentType: "text/html; charset=utf-8",
            bytes: Array("<html><body><h1>502 Bad Gateway</h1></body></html>".utf8),
            yotiCode: nil, errorCount: 0, summary: "text/html body, 50 bytes"),
        Body(name: "empty body", contentType: nil, bytes: [], yotiCode: nil, errorCount: 0, summary: "empty body"),
        Body(
            name: "truncated JSON", contentType: "application/json",
            bytes: Array(#"{"code":"PAYLOAD_VALIDATION","errors":[{"prop"#.utf8),
            yotiCode: nil, errorCount: 0, summary: "unreadable JSON error body"),
    ]

    @Test("status × body: one class per status, Yoti's code and errors kept when readable", arguments: statuses, bodies)
    func table(status: (Int, YotiAPIError.Code?), body: Body) {
        var headers = HTTPHeaders([("x-request-id", "req-123")])
        if let type = body.contentType { headers.add(name: "content-type", value: type) }
        let error = YotiResponseClassifier.classify(
            status: status.0, headers: headers, body: body.bytes, operation: .idv("POST /sessions"))
        guard let expected = status.1 else {
            #expect(error == nil)
            return
        }
        guard let error else {
            Issue.record("HTTP \(status.0) was classified as success")
            return
        }
        #expect(error.code == expected)
        #expect(error.status == status.0)
        #expect(error.requestID == "req-123")
        #expect(error.yotiCode == body.yotiCode)
        #expect(error.errors.count == body.errorCount)
        #expect(error.message.contains("HTTP \(status.0), \(body.summary)"))
        #expect("\(error)".contains("x-request-id req-123"))
        if body.bytes.count > 20, body.yotiCode == nil {
            #expect(
                !error.message.contains(String(decoding: body.bytes.prefix(20), as: UTF8.self)),
                "raw bodies are not echoed")
        }
    }

    @Test("a 409 keeps its status and says what to do")
    func conflict() throws {
        let error = try #require(
            YotiResponseClassifier.classify(
                status: 409, headers: [:], body: Array(#"{"code":"SESSION_EXPIRED"}"#.utf8),
                operation: .idv("PUT /sessions/{id}/instructions")))
        #expect(error.code == .permanent)
        #expect(error.status == 409)
        #expect(error.yotiCode == "SESSION_EXPIRED")
        #expect(!error.isSafeToRetry)
    }

    @Test("credential errors say which settings to check, per API")
    func credentialHints() throws {
        let idv = try #require(
            YotiResponseClassifier.classify(status: 401, headers: [:], body: [], operation: .idv("POST /sessions")))
        #expect(idv.message.contains("YOTI_CLIENT_SDK_ID") && idv.message.contains("YOTI_KEY_FILE_PATH"))
        let sign = try #require(
            YotiResponseClassifier.classify(
                status: 403, headers: [:], body: [], operation: .sign("GET /v2/idv/sessions/configs")))
        #expect(sign.message.contains("YOTI_SIGN_API_KEY"))
    }

    static let now = Date(timeIntervalSince1970: 1_700_000_000)  // Tue, 14 Nov 2023 22:13:20 GMT

    @Test(
        "Retry-After as seconds or an HTTP-date",
        arguments: [
            ("120", Duration.seconds(120)),
            (" 0 ", Duration.seconds(0)),
            ("Tue, 14 Nov 2023 22:14:20 GMT", Duration.seconds(60)),
            ("Tuesday, 14-Nov-23 22:13:50 GMT", Duration.seconds(30)),
            ("Tue Nov 14 22:13:25 2023", Duration.seconds(5)),
            ("Tue, 14 Nov 2023 22:00:00 GMT", Duration.seconds(0)),
        ])
    func retryAfter(value: String, expected: Duration) throws {
        #expect(YotiResponseClassifier.parseRetryAfter(value, now: Self.now) == expected)
        let error = try #require(
            YotiResponseClassifier.classify(
                status: 429, headers: HTTPHeaders([("Retry-After", value)]), body: [],
                operation: .idv("POST /sessions"), now: Self.now))
        #expect(error.code == .rateLimited)
        #expect(error.retryAfter == expected)
        #expect(error.isSafeToRetry)
    }

    @Test("an unparseable Retry-After is ignored", arguments: ["soon", "-5", "", "1.5"])
    func badRetryAfter(value: String) throws {
        #expect(YotiResponseClassifier.parseRetryAfter(value, now: Self.now) == nil)
        let error = try #require(
            YotiResponseClassifier.classify(
                status: 429, headers: HTTPHeaders([("Retry-After", value)]), body: [],
                operation: .idv("POST /sessions"), now: Self.now))
        #expect(error.retryAfter == nil)
    }

    @Test("a 2xx whose body cannot be read is an unknown outcome")
    func unreadableSuccess() {
        let error = YotiResponseClassifier.unreadableSuccess(
            status: 201, headers: HTTPHeaders([("x-request-id", "r-9")]), bodyLength: 12,
            operation: .idv("POST /sessions"))
        #expect(error.code == .unknownOutcome)
        #expect(error.requestID == "r-9")
        #expect(error.message.contains("may exist"))
    }
}
