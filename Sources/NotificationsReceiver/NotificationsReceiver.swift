import HTTPServerLimits
import Hummingbird
import HummingbirdCore
import HummingbirdTLS
import IDVLogging
import Logging
import NIOCore
import PostgresClient
import ServiceLifecycle

/// `idv-batch notifications serve`: an HTTP server (Hummingbird) storing the notifications Yoti posts
/// in idv.notifications, once per identity. A swift-service-lifecycle `Service`: on graceful shutdown
/// it stops accepting connections, finishes the requests in flight, and returns. Connections idle for
/// ``ServerLimits/idleTimeout`` are closed, and those over ``ServerLimits/maxConnections`` answered 503.
package struct NotificationsReceiver: Service {
    private let configuration: ReceiverConfiguration
    private let inbox: NotificationInbox
    /// What `/metrics` serves.
    package let metrics: ReceiverMetrics
    private let logger: Logger
    private let onListening: @Sendable (_ port: Int) async -> Void

    /// A receiver storing into `pool`'s database.
    /// - Parameter onListening: called once the socket is bound, with the port (useful with port 0).
    package init(
        configuration: ReceiverConfiguration, pool: PostgresPool, metrics: ReceiverMetrics = ReceiverMetrics(),
        logger: Logger, onListening: @escaping @Sendable (_ port: Int) async -> Void = { _ in }
    ) {
        self.configuration = configuration
        self.inbox = NotificationInbox(pool: pool)
        self.metrics = metrics
        self.logger = logger
        self.onListening = onListening
    }

    package func run() async throws {
        let responder = NotificationsResponder(
            configuration: configuration, inbox: inbox, metrics: metrics, logger: logger)
        let logger = self.logger
        let configuration = self.configuration
        let onListening = self.onListening
        var limits = configuration.limits
        limits.retryAfterSeconds = configuration.retryAfterSeconds
        let receiverMetrics = self.metrics
        let server = limits.http1(
            tls: try configuration.tls?.serverConfiguration(),
            counter: ConnectionCounter(onRefused: { receiverMetrics.connectionRefused() }))
        let application = Application(
            router: responder.router(),
            server: server,
            configuration: ApplicationConfiguration(address: .hostname(configuration.host, port: configuration.port)),
            onServerRunning: { channel in
                let port = channel.localAddress?.port ?? configuration.port
                logger.info(
                    "Notifications receiver listening",
                    metadata: [
                        "listen.host": "\(configuration.host)", "listen.port": "\(port)",
                        LogKey.path: "\(configuration.path)", "listen.tls": "\(configuration.tls != nil)",
                    ])
                await onListening(port)
            },
            logger: logger
        )
        try await application.run()
        logger.info("Notifications receiver stopped")
    }
}
