import AsyncHTTPClient
import Foundation
import NIOCore
import Testing
import YotiAPI
import YotiClient

@Suite("Outcome classification: transport failures")
struct TransportClassificationTests {
    /// A failure, and the class expected when it strikes before / after the request was fully sent.
    struct Case: Sendable, CustomStringConvertible {
        var name: String
        var error: any Error & Sendable
        var notSent: YotiAPIError.Code
        var sent: YotiAPIError.Code
        var description: String { name }
    }

    static let cases: [Case] = [
        // Getting a connection: nothing can have reached Yoti, whatever the flag says.
        Case(name: "AHC connect timeout", error: HTTPClientError.connectTimeout, notSent: .transient, sent: .transient),
        Case(
            name: "AHC pool wait timeout", error: HTTPClientError.getConnectionFromPoolTimeout, notSent: .transient,
            sent: .transient),
        Case(
            name: "AHC TLS handshake timeout", error: HTTPClientError.tlsHandshakeTimeout, notSent: .transient,
            sent: .transient),
        Case(
            name: "connection refused", error: IOError(errnoCode: ECONNREFUSED, reason: "connect"), notSent: .transient,
            sent: .transient),
        Case(
            name: "network unreachable", error: IOError(errnoCode: ENETUNREACH, reason: "connect"), notSent: .transient,
            sent: .transient),
        Case(
            name: "NIO connect timeout", error: ChannelError.connectTimeout(.seconds(10)), notSent: .transient,
            sent: .transient),
        // On an open connection: decided by whether the whole request was written.
        Case(
            name: "closed by the server", error: HTTPClientError.remoteConnectionClosed, notSent: .transient,
            sent: .unknownOutcome),
        Case(
            name: "connection reset", error: IOError(errnoCode: ECONNRESET, reason: "read"), notSent: .transient,
            sent: .unknownOutcome),
        Case(
            name: "broken pipe", error: IOError(errnoCode: EPIPE, reason: "write"), notSent: .transient,
            sent: .unknownOutcome),
        Case(name: "AHC read timeout", error: HTTPClientError.readTimeout, notSent: .transient, sent: .unknownOutcome),
        Case(
            name: "AHC deadline exceeded", error: HTTPClientError.deadlineExceeded, notSent: .transient,
            sent: .unknownOutcome),
        Case(name: "NIO EOF", error: ChannelError.eof, notSent: .transient, sent: .unknownOutcome),
        Case(
            name: "I/O on closed channel", error: ChannelError.ioOnClosedChannel, notSent: .transient,
            sent: .unknownOutcome),
        Case(name: "unexpected error", error: CocoaError(.fileReadUnknown), notSent: .transient, sent: .unknownOutcome),
        // A request that could not even be built.
        Case(name: "invalid URL", error: HTTPClientError.invalidURL, notSent: .permanent, sent: .permanent),
        Case(
            name: "unsupported scheme", error: HTTPClientError.unsupportedScheme("ftp"), notSent: .permanent,
            sent: .permanent),
    ]

    @Test("before or after the request was sent", arguments: cases, [false, true])
    func table(testCase: Case, sent: Bool) {
        let error = YotiResponseClassifier.classify(
            transportError: testCase.error, requestFullySent: sent, operation: .idv("POST /sessions"),
            timeout: .seconds(30))
        #expect(error.code == (sent ? testCase.sent : testCase.notSent))
        #expect(error.status == nil)
        if error.code == .unknownOutcome {
            #expect(error.message.contains("may exist"))
            #expect(!error.isSafeToRetry)
        }
        if error.code == .transient {
            #expect(error.message.contains("not sent"))
            #expect(error.isSafeToRetry)
        }
    }

    @Test("a deadline after sending names the timeout")
    func deadlineMessage() {
        let error = YotiResponseClassifier.classify(
            transportError: HTTPClientError.deadlineExceeded, requestFullySent: true, operation: .idv("POST /sessions"),
            timeout: .seconds(30))
        #expect(error.message.contains("no response within 30 s"))
    }
}
