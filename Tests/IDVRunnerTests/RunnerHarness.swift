import Foundation
import LocalPostgres
import Logging
import PostgresClient
import Synchronization
import TestSupport
import YotiAPI
import YotiClient
import YotiSandbox

@testable import IDVRunner

/// One isolated world for an end-to-end runner test: a fresh migrated database, an in-process sandbox
/// on loopback, and an IDV client signing with the public SDK test key.
final class RunnerHarness: Sendable {
    static let sdkID = "runner-test-sdk"

    /// A spec the validator accepts (ttl 900 s → the sandbox answers 899).
    let postgres: PostgresConfiguration
    let pool: PostgresPool
    let sandbox: YotiSandbox
    let client: IDVClient
    let recorder: RecordingSessions
    /// Whether the database was made for this harness (and is dropped with it).
    private let ownsDatabase: Bool

    private init(
        postgres: PostgresConfiguration, pool: PostgresPool, sandbox: YotiSandbox, client: IDVClient, ownsDatabase: Bool
    ) {
        self.postgres = postgres
        self.ownsDatabase = ownsDatabase
        self.pool = pool
        self.sandbox = sandbox
        self.client = client
        self.recorder = RecordingSessions(client)
    }

    /// Runs `body` with a new harness and tears everything down afterwards.
    /// - Parameters:
    ///   - sandboxAcceptsKey: `false` makes the sandbox expect a different key, so every call is a 401.
    ///   - requestTimeout: the client's timeout (stall tests use a short one).
    ///   - database: a migrated database to use (and keep) instead of a fresh one on the shared test server.
    static func with<Result: Sendable>(
        behaviour: SandboxBehaviour = .healthy,
        sandboxAcceptsKey: Bool = true,
        requestTimeout: Duration = .seconds(10),
        concurrency: Int = 32,
        database: PostgresConfiguration? = nil,
        _ body: (RunnerHarness) async throws -> Result
    ) async throws -> Result {
        // Everything that can throw without starting anything comes first (a missing key fixture fails the
        // test here); what is started afterwards is torn down on every path.
        let application =
            sandboxAcceptsKey
            ? try SandboxApplication(sdkID: sdkID, keyFile: SharedPaths.ownerOnlyTestKey)
            : try SandboxApplication.unmatchable(sdkID: sdkID)
        let key = try YotiPrivateKey(contentsOfFile: SharedPaths.ownerOnlyTestKey)
        let sandbox = try YotiSandbox(
            configuration: SandboxConfiguration(applications: [application], behaviour: behaviour))
        let postgres: PostgresConfiguration
        if let database {
            postgres = database
        } else {
            postgres = try await TestDatabase.createMigrated(prefix: "idv_runner")
        }
        let pool = PostgresPool(configuration: postgres, maxConnections: 8)
        let client: IDVClient
        do {
            try await sandbox.start()
            client = try IDVClient(
                baseURL: sandbox.idvBaseURL, sdkID: sdkID, key: key,
                options: IDVClient.Options(requestTimeout: requestTimeout, maxConnections: concurrency),
                logger: Logger(label: "test.yoti") { _ in SwiftLogNoOpLogHandler() })
        } catch {
            await sandbox.shutdown()
            await pool.shutdown()
            if database == nil { await TestDatabase.drop(postgres) }
            throw error
        }
        let harness = RunnerHarness(
            postgres: postgres, pool: pool, sandbox: sandbox, client: client, ownsDatabase: database == nil)
        do {
            let result = try await body(harness)
            await harness.tearDown()
            return result
        } catch {
            await harness.tearDown()
            throw error
        }
    }

    private func tearDown() async {
        try? await client.shutdown()
        await sandbox.shutdown()
        await pool.shutdown()
        if ownsDatabase { await TestDatabase.drop(postgres) }
    }

    /// A configuration for fast tests: tiny backoff, short sweeps, unique worker id.
    func configuration(batch: String, concurrency: Int = 32) -> RunnerConfiguration {
        var configuration = RunnerConfiguration(
            batches: [batch], concurrency: concurrency, requestTimeout: .seconds(10))
        configuration.backoff = .exponentialJitter(base: .milliseconds(20), cap: .milliseconds(100))
        configuration.leaseSweepInterval = .milliseconds(500)
        return configuration
    }

    /// Runs the runner in process with calls going through the recorder.
    func run(_ configuration: RunnerConfiguration, sessions: (any SessionCreating)? = nil) async throws -> RunSummary {
        let runner = Runner(
            configuration: configuration, database: pool, sessions: sessions ?? recorder,
            logger: Self.logger(label: "test.runner"))
        return try await runner.execute()
    }

    /// Inserts `count` rows `ref-1 … ref-count` into `batch`, each with a full spec (or `spec`).
    func enqueue(
        batch: String, count: Int, spec: JSONValue? = TestSessionSpec.valid, configName: String? = nil,
        prefix: String = "ref-"
    )
        async throws
    {
        _ = try await pool.query(
            """
            INSERT INTO idv.verification_requests (batch_id, external_ref, config_name, session_spec)
            SELECT $1, $2 || g, $3, $4::jsonb FROM generate_series(1, $5::int) AS g
            """,
            [
                .text(batch), .text(prefix), configName.map { .text($0) } ?? .null,
                spec.map { .jsonb($0.jsonString()) } ?? .null, .int(count),
            ]
        )
    }

    /// Stores a named configuration.
    /// Starts the built `idv-batch run --batch <batch> …` against this database and sandbox (`overrides`
    /// replace environment variables).
    func startRun(
        batch: String, arguments: [String] = [], name: String = "run", environment overrides: [String: String] = [:]
    ) throws -> SpawnedProcess {
        try IDVBatchProcess.startRun(
            batch: batch, databaseURL: postgres.unredactedConnectionString, apiURL: sandbox.idvBaseURL,
            sdkID: Self.sdkID, keyPath: SharedPaths.ownerOnlyTestKey, arguments: arguments, name: name,
            environment: overrides)
    }

    func addConfiguration(name: String, spec: JSONValue) async throws {
        _ = try await pool.query(
            "INSERT INTO idv.session_configs (name, spec) VALUES ($1, $2::jsonb)",
            [.text(name), .jsonb(spec.jsonString())])
    }

    /// Rows of the batch per status.
    func statusCounts(batch: String) async throws -> [String: Int] {
        let rows = try await pool.query(
            "SELECT status, count(*) AS n FROM idv.verification_requests WHERE batch_id = $1 GROUP BY status",
            [.text(batch)])
        var counts: [String: Int] = [:]
        for row in rows { counts[try row.decode(String.self, "status")] = try row.decode(Int.self, "n") }
        return counts
    }

    /// Every row of the batch with the columns tests look at.
    func rows(batch: String) async throws -> [RowSnapshot] {
        try await pool.query(
            """
            SELECT id, external_ref, status, attempts, session_id, client_session_token,
                   EXTRACT(EPOCH FROM token_expires_at)::float8 AS token_expires_epoch,
                   error_class, last_error, last_http_status, possible_duplicate
            FROM idv.verification_requests WHERE batch_id = $1 ORDER BY id
            """, [.text(batch)]
        ).map { row in
            RowSnapshot(
                id: try row.decode(Int64.self, "id"),
                externalRef: try row.decode(String.self, "external_ref"),
                status: try row.decode(String.self, "status"),
                attempts: try row.decode(Int.self, "attempts"),
                sessionID: try row.decode(String?.self, "session_id"),
                clientSessionToken: try row.decode(String?.self, "client_session_token"),
                tokenExpiresAt: try row.decode(Double?.self, "token_expires_epoch").map(
                    Date.init(timeIntervalSince1970:)),
                errorClass: try row.decode(String?.self, "error_class"),
                lastError: try row.decode(String?.self, "last_error"),
                lastHTTPStatus: try row.decode(Int?.self, "last_http_status"),
                possibleDuplicate: try row.decode(Bool.self, "possible_duplicate"))
        }
    }

    /// Every ledger attempt of the batch.
    func attempts(batch: String) async throws -> [AttemptSnapshot] {
        try await pool.query(
            """
            SELECT id, request_id, user_tracking_id, outcome, session_id, write_back, possible_duplicate,
                   finished_at IS NOT NULL AS finished, http_status
            FROM idv.attempts WHERE batch_id = $1 ORDER BY id
            """, [.text(batch)]
        ).map { row in
            AttemptSnapshot(
                id: try row.decode(Int64.self, "id"),
                requestID: try row.decode(Int64.self, "request_id"),
                userTrackingID: try row.decode(String?.self, "user_tracking_id"),
                outcome: try row.decode(String?.self, "outcome"),
                sessionID: try row.decode(String?.self, "session_id"),
                writeBack: try row.decode(String?.self, "write_back"),
                possibleDuplicate: try row.decode(Bool.self, "possible_duplicate"),
                finished: try row.decode(Bool.self, "finished"),
                httpStatus: try row.decode(Int?.self, "http_status"))
        }
    }

    /// Every session the sandbox created, by user tracking id.
    func sandboxSessions() -> [SandboxSession] {
        sandbox.sessions().filter { $0.userTrackingID != nil }
    }

    /// Silent, unless `IDV_TEST_LOG` names a level (e.g. `debug`) to watch a run on standard error.
    static func logger(label: String) -> Logger {
        guard let level = ProcessInfo.processInfo.environment["IDV_TEST_LOG"].flatMap(Logger.Level.init(rawValue:))
        else {
            return Logger(label: label) { _ in SwiftLogNoOpLogHandler() }
        }
        var logger = Logger(label: label) { StreamLogHandler.standardError(label: $0) }
        logger.logLevel = level
        return logger
    }

    /// A unique batch id for a test.
    static func batchID(_ name: String) -> String { "\(name)-\(UUID().uuidString.prefix(8))" }
}

struct RowSnapshot: Sendable {
    var id: Int64
    var externalRef: String
    var status: String
    var attempts: Int
    var sessionID: String?
    var clientSessionToken: String?
    var tokenExpiresAt: Date?
    var errorClass: String?
    var lastError: String?
    var lastHTTPStatus: Int?
    var possibleDuplicate: Bool
}

struct AttemptSnapshot: Sendable {
    var id: Int64
    var requestID: Int64
    var userTrackingID: String?
    var outcome: String?
    var sessionID: String?
    var writeBack: String?
    var possibleDuplicate: Bool
    var finished: Bool
    var httpStatus: Int?
}

/// Passes calls to the real client and remembers what came back over the wire for created sessions:
/// the sandbox hands tokens out without keeping them, so this is what the database must match.
final class RecordingSessions: SessionCreating {
    private let client: IDVClient
    private let created = Mutex<[String: CreatedSession]>([:])
    private let calls = Mutex(0)
    private let presignedCalls = Mutex(0)

    init(_ client: IDVClient) { self.client = client }

    func attemptSession(body: [UInt8]) async -> StepOutcome<CreatedSession> {
        await attemptSession(body: body, presigned: nil)
    }

    /// Signs ahead like the real client, so runs in tests take the engine's signing-ahead path.
    func presign(body: [UInt8]) -> PresignedRequest? {
        client.presign(body: body)
    }

    func attemptSession(body: [UInt8], presigned: PresignedRequest?) async -> StepOutcome<CreatedSession> {
        calls.withLock { $0 += 1 }
        if presigned != nil { presignedCalls.withLock { $0 += 1 } }
        let outcome = await client.attemptSession(body: body, presigned: presigned)
        if case .succeeded(let session, _) = outcome { created.withLock { $0[session.response.sessionID] = session } }
        return outcome
    }

    /// Created sessions by session id.
    var createdSessions: [String: CreatedSession] { created.withLock { $0 } }
    var callCount: Int { calls.withLock { $0 } }
    /// Calls that came with a request signed ahead.
    var presignedCallCount: Int { presignedCalls.withLock { $0 } }
}
