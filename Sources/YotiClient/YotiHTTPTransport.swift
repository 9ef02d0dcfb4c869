import AsyncHTTPClient
import Foundation
import IDVLogging
import Logging
import NIOCore
import NIOHTTP1
import YotiAPI

/// The HTTP plumbing shared by the IDV and Yoti Sign clients: one pooled `HTTPClient`, explicit
/// timeouts, and every failure mapped to exactly one ``YotiAPIError``.
struct YotiHTTPTransport: Sendable {
    let http: HTTPClient
    let requestTimeout: Duration
    let maxResponseBytes: Int
    let logger: Logger
    /// The logger handed to AsyncHTTPClient, never below `debug`: at `trace` it logs every response
    /// part, bodies included, and a created session's body holds the client session token.
    let httpLogger: Logger

    init(connectTimeout: Duration, requestTimeout: Duration, maxConnections: Int, maxResponseBytes: Int, logger: Logger)
    {
        var configuration = HTTPClient.Configuration(
            redirectConfiguration: .disallow,  // a redirect would replay a signed request elsewhere
            timeout: .init(connect: connectTimeout.timeAmount),
            // Idle connections are dropped well before common server keep-alive limits (60 s on many
            // load balancers): a POST written into a connection the server is closing cannot be told
            // apart from one that was processed, and would be reported as an unknown outcome.
            connectionPool: .init(
                idleTimeout: .seconds(20), concurrentHTTP1ConnectionsPerHostSoftLimit: max(1, maxConnections)),
            decompression: .disabled
        )
        configuration.httpVersion = .automatic
        self.http = HTTPClient(eventLoopGroup: HTTPClient.defaultEventLoopGroup, configuration: configuration)
        self.requestTimeout = requestTimeout
        self.maxResponseBytes = maxResponseBytes
        self.logger = logger
        var httpLogger = logger
        httpLogger.logLevel = max(logger.logLevel, .debug)
        self.httpLogger = httpLogger
    }

    /// Sends one request and returns the 2xx response.
    /// - Parameters:
    ///   - url: the full URL string, used as is (it carries the exact signed path and query).
    ///   - beforeSend: called immediately before the request is handed to the pool (send time).
    /// - Throws: ``YotiAPIError`` for any non-2xx answer or transport failure; `CancellationError`
    ///   when the task is cancelled.
    func send(
        method: HTTPMethod, url: String, headers: HTTPHeaders, body: [UInt8]?, operation: YotiOperation,
        beforeSend: () -> Void = {}
    ) async throws -> CollectedResponse {
        let request: HTTPClient.Request
        do {
            request = try HTTPClient.Request(
                url: url, method: method, headers: headers, body: body.map { .bytes($0) })
        } catch {
            throw YotiResponseClassifier.classify(
                transportError: error, requestFullySent: false, operation: operation, timeout: requestTimeout)
        }
        try Task.checkCancellation()
        let delegate = CollectingDelegate(maxBodyBytes: maxResponseBytes)
        beforeSend()
        let task = http.execute(
            request: request, delegate: delegate, deadline: .now() + requestTimeout.timeAmount, logger: httpLogger)
        let response: CollectedResponse
        do {
            response = try await withTaskCancellationHandler {
                try await task.futureResult.get()
            } onCancel: {
                task.cancel()
            }
        } catch {
            if Task.isCancelled || error is CancellationError { throw CancellationError() }
            let classified = YotiResponseClassifier.classify(
                transportError: error, requestFullySent: delegate.requestFullySent, operation: operation,
                timeout: requestTimeout)
            logger.debug(
                "yoti call failed without a response",
                metadata: [LogKey.yotiOperation: "\(operation)", LogKey.errorClass: "\(classified.code)"])
            throw classified
        }
        if let failure = YotiResponseClassifier.classify(
            status: response.status, headers: response.headers, body: response.body, operation: operation)
        {
            logger.debug(
                "yoti call failed",
                metadata: [
                    LogKey.yotiOperation: "\(operation)", LogKey.httpStatus: "\(response.status)",
                    LogKey.errorClass: "\(failure.code)", LogKey.yotiCode: "\(failure.yotiCode ?? "-")",
                    LogKey.yotiRequestID: "\(failure.requestID ?? "-")",
                ])
            throw failure
        }
        return response
    }

    /// Decodes a 2xx body as JSON, or reports the call as an unknown outcome.
    func json(_ response: CollectedResponse, operation: YotiOperation) throws -> JSONValue {
        guard let value = try? JSONValue(jsonBytes: response.body) else {
            throw YotiResponseClassifier.unreadableSuccess(
                status: response.status, headers: response.headers, bodyLength: response.body.count,
                operation: operation)
        }
        return value
    }

    /// Closes pooled connections. Call once, when no request is in flight.
    func shutdown() async throws {
        try await http.shutdown()
    }
}

extension Duration {
    /// The same span as a SwiftNIO `TimeAmount` (nanosecond precision).
    var timeAmount: TimeAmount {
        let (seconds, attoseconds) = components
        return .nanoseconds(seconds * 1_000_000_000 + attoseconds / 1_000_000_000)
    }
}
