import AsyncHTTPClient
import Foundation
import IDVLogging
import Logging
import NIOCore
import NIOHTTP1
import NotificationsReceiver
import PostgresClient
import ServiceLifecycle
import TestSupport

/// A receiver on 127.0.0.1 (ephemeral port) over a database, an HTTP client, and every log line it wrote
/// (at trace level, so a secret logged at any level would be caught).
struct ReceiverHarness {
    /// A test token (not a secret), and how it travels in each scheme.
    static let token = "t0ken-of-the-receiver-tests-5b1e9c"
    static var basic: String { "Basic " + Data(token.utf8).base64EncodedString() }
    static var bearer: String { "Bearer " + token }

    let port: Int
    let pool: PostgresPool
    let http: HTTPClient
    let logs: LogLines
    let metrics: ReceiverMetrics

    /// The reply to one request, fully read.
    struct Reply {
        var status: Int
        var headers: HTTPHeaders
        var body: String
    }

    /// Runs `body` against a receiver storing in `pool`'s database, then shuts it down gracefully.
    static func with<Result>(
        pool: PostgresPool, adjust: (inout ReceiverConfiguration) -> Void = { _ in },
        _ body: (ReceiverHarness) async throws -> Result
    ) async throws -> Result {
        var configuration = ReceiverConfiguration(token: try ReceiverToken(token, source: "test"))
        configuration.port = 0
        // Generous: the full test suite saturates the machine, and a slow store is answered 503 (the outage
        // test does not depend on it: a stopped server refuses connections at once).
        configuration.storeTimeout = .seconds(60)
        adjust(&configuration)
        let logs = LogLines()
        var logger = Logger(label: "receiver-test") { JSONLogHandler(label: $0, write: logs.append) }
        logger.logLevel = .trace
        let (ports, continuation) = AsyncStream.makeStream(of: Int.self)
        let metrics = ReceiverMetrics()
        let receiver = NotificationsReceiver(
            configuration: configuration, pool: pool, metrics: metrics, logger: logger,
            onListening: { continuation.yield($0) })
        let group = ServiceGroup(
            configuration: ServiceGroupConfiguration(
                services: [receiver], logger: Logger(label: "quiet") { _ in SwiftLogNoOpLogHandler() }))
        // The port stream ends with the service group, so a receiver that fails to start fails the test with
        // its own error instead of leaving it waiting for a port forever.
        let running = Task {
            defer { continuation.finish() }
            try await group.run()
        }
        var iterator = ports.makeAsyncIterator()
        guard let port = await iterator.next() else {
            try await running.value
            throw CancellationError()
        }
        // 1,000 concurrent posts queue for the client's connections: waiting for one is not a failure here
        // (the default 10 s is too short when the whole test suite shares two cores).
        var clientConfiguration = HTTPClient.Configuration()
        clientConfiguration.timeout.connect = .seconds(300)
        clientConfiguration.connectionPool.concurrentHTTP1ConnectionsPerHostSoftLimit = 16
        let http = HTTPClient(eventLoopGroupProvider: .singleton, configuration: clientConfiguration)
        let harness = ReceiverHarness(port: port, pool: pool, http: http, logs: logs, metrics: metrics)
        let outcome: Swift.Result<Result, any Error>
        do { outcome = .success(try await body(harness)) } catch { outcome = .failure(error) }
        try? await http.shutdown()
        await group.triggerGracefulShutdown()
        try await running.value
        return try outcome.get()
    }

    /// A fresh migrated database (the shared test server) with a receiver on it.
    static func withDatabase<Result: Sendable>(
        adjust: @escaping (inout ReceiverConfiguration) -> Void = { _ in },
        _ body: @escaping (ReceiverHarness) async throws -> Result
    ) async throws -> Result {
        try await MigratedDatabase.with { database in
            try await with(pool: database.pool, adjust: adjust, body)
        }
    }

    /// Sends `method path` with `headers` and `body`.
    func send(
        _ method: HTTPMethod = .POST, path: String = "/notifications", authorization: String? = Self.bearer,
        headers: [(String, String)] = [], body: [UInt8]? = nil
    ) async throws -> Reply {
        var request = HTTPClientRequest(url: "http://127.0.0.1:\(port)\(path)")
        request.method = method
        if let authorization { request.headers.add(name: "Authorization", value: authorization) }
        for (name, value) in headers { request.headers.add(name: name, value: value) }
        if let body {
            request.headers.add(name: "Content-Type", value: "application/json")
            request.body = .bytes(ByteBuffer(bytes: body))
        }
        let response = try await http.execute(request, timeout: .seconds(300))
        let collected = try await response.body.collect(upTo: 1 << 20)
        return Reply(
            status: Int(response.status.code), headers: response.headers, body: String(buffer: collected))
    }

    /// Posts `json` (text) as a notification.
    func post(_ json: String, authorization: String? = Self.bearer) async throws -> Reply {
        try await send(authorization: authorization, body: Array(json.utf8))
    }

    /// A notification body.
    static func notification(session: String, topic: String = "session_completion", extra: String = "") -> String {
        "{\"session_id\":\"\(session)\",\"topic\":\"\(topic)\"\(extra)}"
    }

    /// Rows stored for `session` as (topic, received_count).
    func stored(session: String) async throws -> [(topic: String, count: Int)] {
        try await pool.query(
            "SELECT topic, received_count FROM idv.notifications WHERE session_id = $1 ORDER BY id", [.text(session)]
        ).map { (topic: try $0.decode(String.self, "topic"), count: try $0.decode(Int.self, "received_count")) }
    }

    /// Every row in idv.notifications.
    func rowCount() async throws -> Int {
        try await pool.query("SELECT count(*) AS n FROM idv.notifications")[0].decode(Int.self, "n")
    }
}
