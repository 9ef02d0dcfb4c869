import Foundation
import Hummingbird
import IDVLogging
import Logging
import NIOCore
import PostgresClient

/// The receiver's routes — the notification path (`POST`), `/healthz` and `/metrics` (`GET`, `HEAD`) — on a
/// Hummingbird `Router`, behind ``ReceiverPathMiddleware`` (exact paths, 404 and 405 answered and counted).
///
/// A notification is checked in the order that costs an attacker the most and us the least: method,
/// then `Authorization` (before any body is read), then size, then content. Only a committed row earns
/// a 2xx; a database that cannot store it earns a 503 with `Retry-After`, so Yoti tries again.
struct NotificationsResponder: Sendable {
    typealias Context = BasicRequestContext

    let configuration: ReceiverConfiguration
    let authorization: Authorization
    let inbox: NotificationInbox
    let metrics: ReceiverMetrics
    let logger: Logger
    let health: HealthCheck

    init(configuration: ReceiverConfiguration, inbox: NotificationInbox, metrics: ReceiverMetrics, logger: Logger) {
        self.configuration = configuration
        self.authorization = Authorization(token: configuration.token, schemes: configuration.schemes)
        self.inbox = inbox
        self.health = HealthCheck(cacheDuration: configuration.healthCacheDuration) { await inbox.isReachable() }
        self.metrics = metrics
        self.logger = logger
    }

    /// The router answering every request of the receiver.
    func router() -> Router<Context> {
        let router = Router(context: Context.self)
        router.add(
            middleware: ReceiverPathMiddleware(
                allowedMethods: [configuration.path: "POST", "/healthz": "GET", "/metrics": "GET"],
                timedPath: configuration.path, metrics: metrics, logger: logger))
        router.post(RouterPath(configuration.path)) { request, _ in await notification(request) }
        for method in [HTTPRequest.Method.get, .head] {
            router.on("/healthz", method: method) { _, _ in await healthz() }
            router.on("/metrics", method: method) { _, _ in metricsPage() }
        }
        return router
    }

    private func healthz() async -> Response {
        await health.isHealthy()
            ? ReceiverAnswer.json(.ok, "{\"status\":\"ok\"}\n")
            : ReceiverAnswer.json(
                .serviceUnavailable, "{\"status\":\"database unreachable\"}\n",
                headers: [.retryAfter: "\(configuration.retryAfterSeconds)"])
    }

    private func metricsPage() -> Response {
        var headers = HTTPFields()
        headers[.contentType] = "text/plain; version=0.0.4; charset=utf-8"
        return Response(
            status: .ok, headers: headers, body: ResponseBody(byteBuffer: ByteBuffer(string: metrics.render())))
    }

    private func notification(_ request: Request) async -> Response {
        if let refusal = authorization.refusal(for: request.headers[.authorization]) {
            return reject(
                .unauthorized, .unauthorized, "unauthorized", detail: refusal.rawValue,
                headers: [.wwwAuthenticate: authorization.challenge])
        }
        if let length = request.headers[.contentLength].flatMap(Int.init), length > configuration.maxBodyBytes {
            return tooLarge()
        }
        let body: ByteBuffer
        do {
            body = try await request.body.collect(upTo: configuration.maxBodyBytes)
        } catch is NIOTooManyBytesError {
            return tooLarge()
        } catch {
            return reject(.badRequest, .badRequest, "the body could not be read", detail: "body_unreadable")
        }
        let bytes = Data(body.readableBytesView)
        let parsed: IncomingNotification
        do {
            parsed = try IncomingNotification(body: bytes)
        } catch {
            return reject(.badRequest, .badRequest, error.reason, detail: error.reason)
        }
        return await store(parsed, body: bytes)
    }

    private func store(_ notification: IncomingNotification, body: Data) async -> Response {
        let outcome: NotificationInbox.Outcome
        do {
            outcome = try await storeWithinTimeout(notification, body: body)
        } catch {
            if NotificationInbox.isRefusedRow(error) {
                return reject(
                    .badRequest, .badRequest, "the database refused the notification's values",
                    detail: "\(error)")
            }
            metrics.unavailableAnswered()
            logger.warning(
                "Notification not stored: answering 503 so Yoti retries",
                metadata: [LogKey.sessionID: "\(notification.sessionID)", LogKey.error: "\(error)"])
            return ReceiverAnswer.error(
                .serviceUnavailable, "temporarily unable to store the notification",
                headers: [.retryAfter: "\(configuration.retryAfterSeconds)"])
        }
        metrics.stored(outcome, knownTopic: notification.isKnownTopic)
        var metadata: Logger.Metadata = [
            LogKey.sessionID: "\(notification.sessionID)", LogKey.notificationTopic: "\(notification.topic)",
        ]
        if !notification.isKnownTopic {
            logger.warning("Stored a notification of a topic Yoti does not document", metadata: metadata)
        }
        metadata[LogKey.notificationOutcome] = outcome == .inserted ? "accepted" : "duplicate"
        logger.debug("Notification stored", metadata: metadata)
        return ReceiverAnswer.json(
            .accepted, outcome == .inserted ? "{\"status\":\"accepted\"}\n" : "{\"status\":\"duplicate\"}\n")
    }

    /// Stores, or throws ``StoreTimeout`` after ``ReceiverConfiguration/storeTimeout`` (the statement is cancelled).
    private func storeWithinTimeout(
        _ notification: IncomingNotification, body: Data
    ) async throws -> NotificationInbox.Outcome {
        let inbox = self.inbox
        let timeout = configuration.storeTimeout
        return try await withThrowingTaskGroup(of: NotificationInbox.Outcome?.self) { group in
            group.addTask { try await inbox.store(notification, body: body) }
            group.addTask {
                try await Task.sleep(for: timeout)
                return nil
            }
            defer { group.cancelAll() }
            guard let first = try await group.next(), let outcome = first else { throw StoreTimeout(timeout: timeout) }
            return outcome
        }
    }

    private func tooLarge() -> Response {
        reject(
            .tooLarge, .contentTooLarge, "the body is larger than \(configuration.maxBodyBytes) bytes",
            detail: "body_too_large")
    }

    /// Counts and logs (at notice, with the reason; never a header) a rejection, and answers it.
    private func reject(
        _ reason: ReceiverMetrics.Rejection, _ status: HTTPResponse.Status, _ message: String, detail: String,
        headers: HTTPFields = [:]
    ) -> Response {
        metrics.rejected(reason)
        logger.notice(
            "Notification rejected",
            metadata: [LogKey.httpStatus: "\(status.code)", LogKey.rejectReason: "\(detail)"])
        return ReceiverAnswer.error(status, message, headers: headers)
    }
}

/// Storing took longer than the configured timeout.
struct StoreTimeout: Error, CustomStringConvertible {
    let timeout: Duration
    var description: String { "storing the notification took longer than \(timeout)" }
}
