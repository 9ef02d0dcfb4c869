import YotiAPI

/// How a Yoti call failed: exactly one outcome class, plus what Yoti said.
///
/// Classes (``Code``): `permanent` (400/404/409/422/other 4xx, or a spec that failed local
/// validation — fix the request), `credentials` (401/403 — stop the run), `rateLimited` (429 —
/// slow down, honour ``retryAfter``), `transient` (5xx, or a network failure before the request was
/// sent — retry with backoff), `unknownOutcome` (a timeout or reset after the request was sent,
/// a 504, or a 2xx whose body could not be read — the session may exist; retrying may duplicate it).
/// A 409 Conflict is `permanent` with `status == 409` kept, so callers can single it out.
/// Messages never contain tokens, keys or other secrets.
package struct YotiAPIError: Error, Sendable, CustomStringConvertible {
    /// The outcome class (the shared ``ErrorClass``).
    package typealias Code = ErrorClass

    /// The outcome class.
    package var code: Code
    /// The call that failed.
    package var operation: YotiOperation
    /// The HTTP status, when a response arrived.
    package var status: Int?
    /// Yoti's error `code` (`PAYLOAD_VALIDATION`, ...), or `INVALID_SESSION_SPEC` for local validation.
    package var yotiCode: String?
    /// Yoti's `errors[]`, or the local validation problems as property/message pairs.
    package var errors: [YotiErrorBody.PropertyError]
    /// The `x-request-id` response header: Yoti support asks for it.
    package var requestID: String?
    /// How long Yoti asked us to wait (`Retry-After`, as seconds or an HTTP-date).
    package var retryAfter: Duration?
    /// What happened and what to do next. No secrets.
    package var message: String

    /// Creates an error. `message` must not contain secrets.
    package init(
        code: Code, operation: YotiOperation, status: Int? = nil, yotiCode: String? = nil,
        errors: [YotiErrorBody.PropertyError] = [], requestID: String? = nil, retryAfter: Duration? = nil,
        message: String
    ) {
        self.code = code
        self.operation = operation
        self.status = status
        self.yotiCode = yotiCode
        self.errors = errors
        self.requestID = requestID
        self.retryAfter = retryAfter
        self.message = message
    }

    /// Whether sending the same request again is safe and may succeed (transient, rate-limited).
    package var isSafeToRetry: Bool { code.isSafeToRetry }

    /// One line: class, operation, status, Yoti code, request id, message and property errors.
    package var description: String {
        var parts = ["\(code)", operation.name]
        if let status { parts.append("HTTP \(status)") }
        if let yotiCode { parts.append(yotiCode) }
        if let requestID { parts.append("x-request-id \(requestID)") }
        var text = parts.joined(separator: " ") + ": " + message
        if !errors.isEmpty {
            text += " [" + errors.map { "\($0.property ?? "?"): \($0.message ?? "")" }.joined(separator: "; ") + "]"
        }
        return text
    }
}
