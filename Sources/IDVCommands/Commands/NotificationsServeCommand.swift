import ArgumentParser
import Foundation
import Logging
import NotificationsReceiver
import PostgresClient

/// `idv-batch notifications serve`: the HTTP receiver of Yoti's notifications.
package struct NotificationsServeCommand: AsyncParsableCommand {
    package static let configuration = CommandConfiguration(
        commandName: "serve",
        abstract: "Serve the endpoint Yoti posts session notifications to, storing each once in idv.notifications.",
        discussion: """
            How Yoti reaches it: a session spec's notifications block names the endpoint, the topics and \
            the secret, e.g.
              "notifications": {"endpoint": "https://idv.example.com/notifications",
                                "topics": ["SESSION_COMPLETION", "CHECK_COMPLETION"],
                                "auth_token": "<the token>", "auth_type": "BEARER"}
            Yoti then POSTs {"session_id": ..., "topic": "session_completion"} (plus check_id, task_id or \
            resource_id for some topics) with "Authorization: Bearer <token>" (auth_type BEARER) or \
            "Authorization: Basic <base64 of the token>" (BASIC). The body carries no result: \
            `idv-batch sync` fetches it.

            The token: the same auth_token, given in $IDV_NOTIFICATIONS_TOKEN or in a file \
            (--token-file PATH) readable by its owner only (chmod 600; a file others may read is \
            refused). Never on the command line, never logged.

            TLS and the reverse proxy: this server speaks plain HTTP on 127.0.0.1:8080 by default. \
            Put nginx or Caddy in front to terminate TLS on the public endpoint and proxy the path \
            here (README: "Notifications receiver" has both configurations). Without a proxy, \
            --tls-cert and --tls-key serve TLS here (then listen with --host 0.0.0.0 --port 443 or so).

            Answers: 202 stored (new or a replay; a replay is stored once and counted), 400 malformed \
            body, 401 missing or wrong token or scheme (with WWW-Authenticate), 404 unknown path, \
            405 not POST, 413 body too large, 503 the database cannot store it now (Yoti retries; \
            Retry-After). A topic Yoti does not document yet is stored and answered 202 (logged as a \
            warning). GET /healthz answers 200 when the database answers, else 503 (the answer is \
            reused for 5 s, so probing it cannot keep the database busy); GET /metrics is Prometheus \
            text (idv_notifications_*). Neither needs the token: let the proxy forward only the \
            notifications path.

            Slow or idle clients: a connection that sends no request part for --idle-timeout seconds \
            (default 30) is closed, and beyond --connection-limit open connections (default 256) a new \
            one is answered 503 with Retry-After and closed. TLS here is 1.2 or later.

            It runs until SIGTERM or SIGINT, then stops accepting, finishes the requests in flight and \
            exits 0. Run it as a service (jobs/schedule/idv-batch-notifications.service for systemd, \
            jobs/schedule/kubernetes-notifications.yaml for Kubernetes).

            Exit codes: 0 stopped by a signal; 2 usage or token problem, or the schema lacks \
            idv.notifications (run `idv-batch migrate`); 3 cannot listen.
            """
    )

    @OptionGroup var database: DatabaseOptions
    @OptionGroup var log: LogOptions

    @Option(help: "The address to listen on (default 127.0.0.1: behind a reverse proxy).")
    var host = "127.0.0.1"

    @Option(help: "The TCP port to listen on (0: any free port, named in the `listening` log line).")
    var port = 8080

    @Option(help: "The path Yoti posts to (the end of the spec's notifications.endpoint).")
    var path = "/notifications"

    @Option(
        name: .customLong("token-file"),
        help: ArgumentHelp(
            "A file holding the notifications auth_token, mode 0600 or stricter (default: $IDV_NOTIFICATIONS_TOKEN).",
            valueName: "path"))
    var tokenFile: String?

    @Option(
        name: .customLong("auth-type"),
        help: ArgumentHelp(
            "The Authorization scheme accepted: basic, bearer, or both (default both; the spec's auth_type).",
            valueName: "type"))
    var authType = "both"

    @Option(help: "The largest body accepted, in bytes (default 16384; larger ones get 413).")
    var maxBodyBytes = 16 * 1024

    @Option(help: "Database connections (default 4).")
    var maxConnections = 4

    @Option(help: "Seconds storing one notification may take before answering 503 (default 5).")
    var storeTimeout = 5.0

    @Option(help: "The Retry-After of a 503, in seconds (default 10).")
    var retryAfter = 10

    @Option(
        help: ArgumentHelp(
            "Seconds a connection may stay open without sending a request part (a request line and headers, a "
                + "piece of the body) before it is closed (default 30).",
            valueName: "seconds"))
    var idleTimeout = 30.0

    @Option(
        help: ArgumentHelp(
            "Client connections open at once; one more is answered 503 with Retry-After and closed (default 256; "
                + "keep the file descriptor limit, e.g. systemd's LimitNOFILE, well above it).",
            valueName: "count"))
    var connectionLimit = 256

    @Option(
        name: .customLong("tls-cert"),
        help: ArgumentHelp(
            "Serve TLS with this PEM certificate chain (with --tls-key) instead of plain HTTP behind a proxy.",
            valueName: "path"))
    var tlsCertificate: String?

    @Option(
        name: .customLong("tls-key"),
        help: ArgumentHelp("The PEM private key of --tls-cert, mode 0600 or stricter.", valueName: "path"))
    var tlsKey: String?

    /// The command with the defaults of every flag; ArgumentParser sets what the command line gives.
    package init() {}

    package func run() async throws {
        try await CommandFailure.exiting {
            let (logger, _) = try CommandLogger.make(label: "idv-batch.notifications", settings: log.settings())
            let configuration = try receiverConfiguration()
            let pool = PostgresPool(configuration: try database.configuration(), maxConnections: maxConnections)
            try await checkSchema(pool, logger: logger)
            let receiver = NotificationsReceiver(configuration: configuration, pool: pool, logger: logger)
            let (_, error) = await SignalScope.run(receiver, logger: logger)
            await pool.shutdown()
            if let error {
                throw CommandFailure(exitCode: 3, message: "The notifications receiver failed: \(error)")
            }
            return 0
        }
    }

    /// The flags as a configuration, after checking them; the token is loaded here.
    func receiverConfiguration(
        environment: [String: String] = ProcessInfo.processInfo.environment
    ) throws -> ReceiverConfiguration {
        let token: ReceiverToken
        do {
            token = try ReceiverToken.load(file: tokenFile, environment: environment)
        } catch let error as ReceiverTokenError {
            throw CommandFailure(exitCode: 2, message: error.description)
        }
        var configuration = ReceiverConfiguration(token: token)
        switch authType.lowercased() {
        case "both": configuration.schemes = [.basic, .bearer]
        case "basic": configuration.schemes = [.basic]
        case "bearer": configuration.schemes = [.bearer]
        default:
            throw CommandFailure(exitCode: 2, message: "--auth-type must be basic, bearer or both, not \"\(authType)\"")
        }
        guard (0...65535).contains(port) else {
            throw CommandFailure(exitCode: 2, message: "--port must be between 0 and 65535")
        }
        guard path.hasPrefix("/"), path != "/healthz", path != "/metrics" else {
            throw CommandFailure(exitCode: 2, message: "--path must start with / and not be /healthz or /metrics")
        }
        guard maxBodyBytes >= 256 else {
            throw CommandFailure(exitCode: 2, message: "--max-body-bytes must be at least 256")
        }
        guard maxConnections >= 1 else {
            throw CommandFailure(exitCode: 2, message: "--max-connections must be at least 1")
        }
        guard storeTimeout > 0, storeTimeout.isFinite, retryAfter >= 1 else {
            throw CommandFailure(exitCode: 2, message: "--store-timeout must be positive and --retry-after at least 1")
        }
        configuration.host = host
        configuration.port = port
        configuration.path = path
        configuration.maxBodyBytes = maxBodyBytes
        configuration.storeTimeout = .milliseconds(Int64(storeTimeout * 1000))
        configuration.retryAfterSeconds = retryAfter
        guard idleTimeout > 0, idleTimeout.isFinite, idleTimeout <= 3600 else {
            throw CommandFailure(exitCode: 2, message: "--idle-timeout must be more than 0 and at most 3600 seconds")
        }
        guard connectionLimit >= 1 else {
            throw CommandFailure(exitCode: 2, message: "--connection-limit must be at least 1")
        }
        configuration.limits.idleTimeout = .milliseconds(Int64(idleTimeout * 1000))
        configuration.limits.maxConnections = connectionLimit
        switch (tlsCertificate, tlsKey) {
        case (nil, nil): break
        case (let certificate?, let key?):
            let tls = ReceiverTLS(certificatePath: certificate, privateKeyPath: key)
            do {
                _ = try tls.serverConfiguration()
            } catch {
                throw CommandFailure(exitCode: 2, message: "\(error)")
            }
            configuration.tls = tls
        default:
            throw CommandFailure(exitCode: 2, message: "--tls-cert and --tls-key go together: give both or neither")
        }
        return configuration
    }

    /// Refuses to start on a schema without idv.notifications; a database that does not answer yet is
    /// only a warning (the receiver answers 503 until it does).
    private func checkSchema(_ pool: PostgresPool, logger: Logger) async throws {
        let rows: PostgresRows
        do {
            rows = try await pool.query("SELECT to_regclass('idv.notifications') IS NOT NULL AS present")
        } catch {
            logger.warning(
                "The database does not answer yet: notifications get 503 until it does",
                metadata: ["error": "\(error)"])
            return
        }
        guard try rows[0].decode(Bool.self, "present") else {
            throw CommandFailure(
                exitCode: 2,
                message: "The database has no idv.notifications table: run `idv-batch migrate` (migration 0008) first.")
        }
    }
}
