import Foundation
import NIOHTTP1
import YotiAPI

/// An answer the connection writes; `x-request-id` is added when written.
struct SandboxResponse: Sendable {
    var status: HTTPResponseStatus
    var headers: HTTPHeaders
    var body: [UInt8]

    init(status: HTTPResponseStatus, headers: HTTPHeaders = [:], body: [UInt8] = []) {
        self.status = status
        self.headers = headers
        self.body = body
    }

    static func json(_ status: HTTPResponseStatus, _ value: some Encodable) -> SandboxResponse {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        // Encoding our own JSONValue and Codable models cannot fail; an empty object keeps the answer valid JSON.
        let body = (try? encoder.encode(value)).map(Array.init) ?? Array("{}".utf8)
        return SandboxResponse(status: status, headers: ["Content-Type": "application/json"], body: body)
    }

    /// Yoti's error body: `{"code", "message", "errors"?}`.
    static func error(
        _ status: HTTPResponseStatus, code: String, message: String,
        errors: [YotiErrorBody.PropertyError]? = nil
    ) -> SandboxResponse {
        json(status, YotiErrorBody(code: code, message: message, errors: errors))
    }

    /// The kind of page a proxy or load balancer answers with for 5xx: HTML, not JSON.
    static func html(_ status: HTTPResponseStatus) -> SandboxResponse {
        let page = "<html><body><h1>\(status.code) \(status.reasonPhrase)</h1></body></html>"
        return SandboxResponse(status: status, headers: ["Content-Type": "text/html"], body: Array(page.utf8))
    }
}
