import AsyncHTTPClient
import Foundation
import NIOCore
import NIOHTTP1
import NIOPosix
import YotiAPI

/// Turns what came back from a Yoti call into exactly one outcome: pure functions, table-testable.
///
/// Transport failures are split on one question: could the server have acted on the request?
/// - Failures while getting a connection (refused, DNS, connect/TLS/proxy timeouts, pool wait)
///   happen before a byte of the request exists on the wire: `transient`.
/// - Anything else (reset, EOF, read timeout, deadline) is decided by whether the request had been
///   fully written. A server cannot act on a POST before it has the whole body, so a failure before
///   the last byte was written is `transient`; after it, the session may exist: `unknownOutcome`.
///   "Written" means handed to the socket (for a request without a body, as soon as it is
///   flushed), which is conservative: a request written but never read is reported as unknown,
///   never the other way round.
/// A 504 is an unknown outcome rather than transient: a gateway timed out waiting for Yoti, which
/// may have created the session. Other 5xx are transient, as production integrations treat them.
package enum YotiResponseClassifier {
    /// Classifies an HTTP response.
    /// - Parameters:
    ///   - status: the HTTP status code.
    ///   - headers: the response headers (`x-request-id`, `Retry-After`, `Content-Type` are read).
    ///   - body: the response body bytes (possibly empty or truncated).
    ///   - operation: the call, for the message.
    ///   - now: the current time, to turn an HTTP-date `Retry-After` into a delay.
    /// - Returns: `nil` for a 2xx (success: the caller parses the body), otherwise the error.
    package static func classify(
        status: Int, headers: HTTPHeaders, body: [UInt8], operation: YotiOperation, now: Date = Date()
    ) -> YotiAPIError? {
        if (200..<300).contains(status) { return nil }
        let requestID = headers.first(name: "x-request-id")
        let retryAfter = headers.first(name: "retry-after").flatMap { parseRetryAfter($0, now: now) }
        let parsed = parseErrorBody(body, contentType: headers.first(name: "content-type"))
        let said = "HTTP \(status), \(parsed.summary)"

        func error(_ code: YotiAPIError.Code, _ message: String) -> YotiAPIError {
            YotiAPIError(
                code: code, operation: operation, status: status, yotiCode: parsed.body?.code,
                errors: parsed.body?.errors ?? [], requestID: requestID, retryAfter: retryAfter, message: message)
        }

        switch status {
        case 401, 403:
            return error(
                .credentials,
                "Yoti refused the credentials (\(said)): \(operation.credentialsHint). Stop and fix the configuration; retrying will not help."
            )
        case 429:
            let wait = retryAfter.map { " Yoti asks to wait \(describe($0))." } ?? ""
            return error(
                .rateLimited, "Yoti is rate limiting requests (\(said)).\(wait) Retry later and lower the request rate."
            )
        case 408:
            return error(
                .transient,
                "Yoti timed out waiting for the request (\(said)); it was not processed: retry with backoff.")
        case 409:
            return error(
                .permanent,
                "Yoti reports a conflict (\(said)): the session has expired or its checks are not finished. Do not retry the same request; fetch the session to see its state."
            )
        case 404:
            return error(
                .permanent,
                "Yoti did not find it (\(said)): check the session id, and that the base URL and SDK id belong to the same environment."
            )
        case 400..<500:
            return error(
                .permanent,
                "Yoti rejected the request (\(said)): fix the request (usually the session spec); sending it again will fail the same way."
            )
        case 504:
            return error(
                .unknownOutcome,
                "a gateway timed out waiting for Yoti (\(said)): the request reached Yoti and may have been processed (the session may exist). Retrying may create a duplicate."
            )
        case 500..<600:
            return error(.transient, "Yoti had a temporary failure (\(said)): retry with backoff.")
        case 300..<400:
            return error(
                .permanent,
                "Yoti answered with a redirect (\(said)), which is not followed for signed requests: check the base URL."
            )
        default:
            return error(.permanent, "unexpected HTTP status (\(said)): check the base URL points at the Yoti API.")
        }
    }

    /// The outcome for a 2xx whose body could not be read or parsed: the call may have taken effect.
    package static func unreadableSuccess(
        status: Int, headers: HTTPHeaders, bodyLength: Int, operation: YotiOperation
    ) -> YotiAPIError {
        YotiAPIError(
            code: .unknownOutcome, operation: operation, status: status,
            requestID: headers.first(name: "x-request-id"),
            message:
                "Yoti answered HTTP \(status) but the body (\(bodyLength) bytes) could not be read as the expected JSON: the call probably succeeded (the session may exist) but its result is lost. Do not blindly retry; it may create a duplicate."
        )
    }

    /// Classifies a failure that produced no HTTP response.
    /// - Parameters:
    ///   - error: what async-http-client or SwiftNIO threw.
    ///   - requestFullySent: whether the last byte of the request had been written.
    ///   - operation: the call, for the message.
    ///   - timeout: the request timeout in force, for the message.
    /// - Returns: the error; `CancellationError` is not handled here (callers rethrow it untouched).
    package static func classify(
        transportError error: any Error, requestFullySent: Bool, operation: YotiOperation, timeout: Duration? = nil
    ) -> YotiAPIError {
        let what = describeTransportError(error, timeout: timeout)
        if isLocalConfigurationError(error) {
            return YotiAPIError(
                code: .permanent, operation: operation,
                message:
                    "the request could not be built (\(what)): check the base URL (scheme http or https, a host, no stray characters)."
            )
        }
        if isBeforeSending(error) || !requestFullySent {
            return YotiAPIError(
                code: .transient, operation: operation,
                message:
                    "could not reach Yoti (\(what)); the request was not sent: retry with backoff, and check the base URL and network if it persists."
            )
        }
        return YotiAPIError(
            code: .unknownOutcome, operation: operation,
            message:
                "the request was sent but no answer arrived (\(what)): Yoti may have processed it (the session may exist). Retrying may create a duplicate."
        )
    }

    /// Parses `Retry-After`: delay-seconds or an HTTP-date (IMF-fixdate, RFC 850 or asctime).
    /// - Returns: the delay from `now` (zero for dates in the past), or `nil` when unparseable.
    package static func parseRetryAfter(_ value: String, now: Date) -> Duration? {
        let trimmed = value.trimmingCharacters(in: .whitespaces)
        if !trimmed.isEmpty, trimmed.allSatisfy({ $0.isASCII && $0.isNumber }) {
            guard let seconds = Int64(trimmed) else { return nil }
            return .seconds(seconds)
        }
        for format in ["EEE, dd MMM yyyy HH:mm:ss zzz", "EEEE, dd-MMM-yy HH:mm:ss zzz", "EEE MMM d HH:mm:ss yyyy"] {
            let formatter = DateFormatter()
            formatter.locale = Locale(identifier: "en_US_POSIX")
            formatter.timeZone = TimeZone(identifier: "GMT")
            formatter.dateFormat = format
            if let date = formatter.date(from: trimmed) {
                let seconds = max(0, date.timeIntervalSince(now))
                return .milliseconds(Int64((seconds * 1000).rounded(.up)))
            }
        }
        return nil
    }

    // MARK: - Details

    /// Errors raised while obtaining a connection: no byte of the request can have been sent.
    static func isBeforeSending(_ error: any Error) -> Bool {
        if let error = error as? HTTPClientError {
            return [
                .connectTimeout, .getConnectionFromPoolTimeout, .tlsHandshakeTimeout, .socksHandshakeTimeout,
                .httpProxyHandshakeTimeout, .proxyAuthenticationRequired, .invalidProxyResponse,
            ].contains(error)
        }
        if error is NIOConnectionError { return true }  // DNS failure or every address refused
        if let error = error as? ChannelError, case .connectTimeout = error { return true }
        if let error = error as? IOError {
            return [ECONNREFUSED, ENETUNREACH, EHOSTUNREACH, EADDRNOTAVAIL].contains(error.errnoCode)
        }
        if error is SocketAddressError { return true }  // name resolution
        return false
    }

    static func isLocalConfigurationError(_ error: any Error) -> Bool {
        guard let error = error as? HTTPClientError else { return false }
        if [.invalidURL, .emptyHost, .emptyScheme, .missingSocketPath].contains(error) { return true }
        return String(describing: error).contains("unsupportedScheme")
    }

    static func describeTransportError(_ error: any Error, timeout: Duration?) -> String {
        if let error = error as? HTTPClientError {
            switch error {
            case .deadlineExceeded, .readTimeout:
                return timeout.map { "no response within \(describe($0))" } ?? "read timed out"
            case .connectTimeout: return "connect timed out"
            case .remoteConnectionClosed: return "the connection was closed by the server"
            default: return "\(error)"
            }
        }
        if let error = error as? NIOConnectionError {
            if error.dnsAError != nil || error.dnsAAAAError != nil, error.connectionErrors.isEmpty {
                return "DNS lookup of \(error.host) failed"
            }
            return "connection to \(error.host):\(error.port) failed"
        }
        if let error = error as? IOError {
            switch error.errnoCode {
            case ECONNREFUSED: return "connection refused"
            case ECONNRESET: return "connection reset by peer"
            case EPIPE: return "broken pipe"
            default: return "I/O error \(error.errnoCode)"
            }
        }
        return String(describing: type(of: error)) + ": \(error)"
    }

    static func describe(_ duration: Duration) -> String {
        let seconds = Double(duration.components.seconds) + Double(duration.components.attoseconds) / 1e18
        return seconds.rounded() == seconds ? "\(Int64(seconds)) s" : String(format: "%.1f s", seconds)
    }

    /// What the error body said, and a short summary for messages (never the raw body of an HTML page).
    static func parseErrorBody(_ body: [UInt8], contentType: String?) -> (body: YotiErrorBody?, summary: String) {
        if body.isEmpty { return (nil, "empty body") }
        if let parsed = try? JSONDecoder().decode(YotiErrorBody.self, from: Data(body)) {
            var summary = parsed.code
            if let message = parsed.message, !message.isEmpty {
                summary += " — " + (message.count > 300 ? String(message.prefix(297)) + "..." : message)
            }
            return (parsed, summary)
        }
        let type = contentType?.split(separator: ";").first.map { String($0).trimmingCharacters(in: .whitespaces) }
        let looksJSON = type?.hasSuffix("json") ?? (body.first == UInt8(ascii: "{"))
        if looksJSON {
            return (nil, "unreadable JSON error body, \(body.count) bytes")
        }
        return (nil, "\(type ?? "untyped") body, \(body.count) bytes")
    }
}
