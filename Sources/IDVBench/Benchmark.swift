import Foundation
import IDVCommands
import LocalPostgres
import Logging
import PostgresClient
import YotiAPI
import YotiSandbox

/// The world `idv-batch bench` measures in: a throwaway PostgreSQL (migrated, tuned for speed), the
/// in-process sandbox on loopback, a throwaway RSA-2048 application key, and this very executable to
/// start `idv-batch run` workers with.
///
/// Runners run as child processes so that their CPU time and peak memory (from `wait4`) exclude the
/// sandbox and PostgreSQL. Every step uses its own batch; the sandbox is reset between steps.
final class Benchmark: Sendable {
    /// The SDK id the sandbox accepts.
    static let sdkID = "idv-bench-sdk"
    /// The named configuration every generated row uses.
    static let configName = "bench"
    /// The stored configuration: the shape of a typical document check (the runner composes and validates it).
    static let spec: JSONValue = [
        "client_session_token_ttl": 900,
        "resources_ttl": 691_200,
        "requested_checks": [["type": "ID_DOCUMENT_AUTHENTICITY", "config": [:]]],
        "requested_tasks": [["type": "ID_DOCUMENT_TEXT_DATA_EXTRACTION", "config": ["manual_check": "FALLBACK"]]],
        "sdk_config": ["allowed_capture_methods": "CAMERA_AND_UPLOAD", "primary_colour": "#2d9fff", "locale": "en-GB"],
    ]

    let sizes: BenchSizes
    let postgres: TemporaryPostgres
    /// The `bench` database, as the workers reach it (trust on loopback: no password).
    var database: PostgresConfiguration { postgres.configuration.withDatabase("bench") }
    /// The benchmark's own connections to the `bench` database (data generation, claims, sweeps).
    let pool: PostgresPool
    /// One connection to the `postgres` database for statistics, so reading them adds nothing to `bench`'s.
    let monitor: PostgresPool
    let sandbox: YotiSandbox
    /// The application key, also written to ``keyPath`` (mode 0600) for the workers.
    let key: YotiPrivateKey
    let keyPath: String
    /// This executable, started as `idv-batch run` workers.
    let executable: String

    private init(
        sizes: BenchSizes, postgres: TemporaryPostgres, pool: PostgresPool, monitor: PostgresPool,
        sandbox: YotiSandbox, key: YotiPrivateKey, keyPath: String, executable: String
    ) {
        self.sizes = sizes
        self.postgres = postgres
        self.pool = pool
        self.monitor = monitor
        self.sandbox = sandbox
        self.key = key
        self.keyPath = keyPath
        self.executable = executable
    }

    /// Starts PostgreSQL and the sandbox, migrates, and stores the configuration the rows use.
    /// - Parameter sqlDirectory: the migrations (`--sql-dir`, else found like `idv-batch migrate` finds them).
    /// - Throws: ``CommandFailure`` (exit 2 or 3) saying which part could not start and what to check.
    static func start(sizes: BenchSizes, sqlDirectory: String?) async throws -> Benchmark {
        let executable = try currentExecutable()
        let migrations: Migrator
        do {
            migrations = Migrator(directory: try Migrator.locateDirectory(explicit: sqlDirectory))
        } catch {
            throw CommandFailure(exitCode: 2, message: "\(error)")
        }
        let postgres: TemporaryPostgres
        do {
            postgres = try await TemporaryPostgres.start(maxConnections: 100)
        } catch {
            throw CommandFailure(
                exitCode: 3, message: "Could not start a throwaway PostgreSQL for the benchmark: \(error)")
        }
        var server = postgres.configuration
        server.applicationName = "idv-bench"
        let configuration = server.withDatabase("bench")
        let monitor = PostgresPool(configuration: server, maxConnections: 1)
        // The throwaway key's folder: deleted by shutdown(), or below if preparing fails.
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("idv-bench-\(UUID().uuidString)")
        let pool = PostgresPool(configuration: configuration, maxConnections: 4)
        do {
            try await tune(monitor)
            _ = try await monitor.execute("CREATE DATABASE bench")
            _ = try await pool.withConnection { try await migrations.migrate(on: $0) }
            _ = try await pool.query(
                "INSERT INTO idv.session_configs (name, spec) VALUES ($1, $2::jsonb)",
                [.text(configName), .jsonb(spec.jsonString())])

            try FileManager.default.createDirectory(
                at: directory, withIntermediateDirectories: false, attributes: [.posixPermissions: 0o700])
            let keyPath = directory.appendingPathComponent("application.pem").path
            let pem = try YotiPrivateKey.generatePEM()
            guard
                FileManager.default.createFile(
                    atPath: keyPath, contents: Data(pem.utf8), attributes: [.posixPermissions: 0o600])
            else {
                throw CommandFailure(
                    exitCode: 3, message: "Could not write the benchmark key under \(directory.path): check /tmp.")
            }
            let key = try YotiPrivateKey(pemRepresentation: pem, source: "the benchmark's throwaway key")
            let application = try SandboxApplication(
                sdkID: sdkID, pem: key.publicKeyPEM, source: "the benchmark's throwaway key")
            let sandbox = try YotiSandbox(configuration: SandboxConfiguration(applications: [application]))
            try await sandbox.start()
            return Benchmark(
                // The workers keep the default application name, `idv-batch`, which the benchmark waits on.
                sizes: sizes, postgres: postgres,
                pool: pool,
                monitor: monitor, sandbox: sandbox, key: key, keyPath: keyPath, executable: executable)
        } catch {
            await pool.shutdown()
            await monitor.shutdown()
            await postgres.stop()
            try? FileManager.default.removeItem(at: directory)
            if error is CommandFailure { throw error }
            throw CommandFailure(exitCode: 3, message: "Could not prepare the benchmark: \(error)")
        }
    }

    /// Stops the sandbox and PostgreSQL and deletes the key.
    func shutdown() async {
        await sandbox.shutdown()
        await pool.shutdown()
        await monitor.shutdown()
        await postgres.stop()
        try? FileManager.default.removeItem(atPath: URL(fileURLWithPath: keyPath).deletingLastPathComponent().path)
    }

    /// Settings for bulk data: a larger WAL so generating millions of rows does not checkpoint constantly,
    /// and memory for sorts and index maintenance. (The server already runs without fsync.)
    private static func tune(_ pool: PostgresPool) async throws {
        for setting in [
            "max_wal_size = '8GB'", "checkpoint_timeout = '30min'", "work_mem = '64MB'",
            "maintenance_work_mem = '512MB'",
        ] {
            _ = try await pool.execute("ALTER SYSTEM SET \(setting)")
        }
        _ = try await pool.query("SELECT pg_reload_conf()")
    }

    private static func currentExecutable() throws -> String {
        #if os(Linux)
            if let path = try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe") { return path }
        #endif
        if let path = Bundle.main.executablePath { return path }
        throw CommandFailure(
            exitCode: 2, message: "Could not tell where this executable is, to start `idv-batch run` workers.")
    }

    // MARK: - Data

    /// Inserts `count` pending rows `r1 … rcount` into `batch`, all using the stored configuration.
    func enqueue(batch: String, count: Int) async throws {
        _ = try await pool.execute(
            """
            INSERT INTO idv.verification_requests (batch_id, external_ref, config_name)
            SELECT $1, 'r' || g, $2 FROM generate_series(1, $3::int) AS g
            """,
            [.text(batch), .text(Self.configName), .int(count)])
        _ = try await pool.execute("ANALYZE idv.verification_requests")
    }

    /// Rows of `batch` per status.
    func statusCounts(batch: String) async throws -> [String: Int] {
        var counts: [String: Int] = [:]
        for row in try await pool.query(
            "SELECT status, count(*) AS n FROM idv.verification_requests WHERE batch_id = $1 GROUP BY status",
            [.text(batch)])
        {
            counts[try row.decode(String.self, "status")] = try row.decode(Int.self, "n")
        }
        return counts
    }

    /// Statements the server has finished in the `bench` database so far (committed plus rolled back).
    ///
    /// Waits a little over a second first: a backend reports its counts at most once a second while idle,
    /// so the benchmark's own statements just before are in, not counted later against the workers.
    func serverStatements() async throws -> Int {
        try await Task.sleep(for: .milliseconds(1_100))
        return try await monitor.query(
            "SELECT (xact_commit + xact_rollback)::bigint AS n FROM pg_stat_database WHERE datname = 'bench'"
        )[0].decode(Int.self, "n")
    }

    /// Waits until the workers' server sessions have ended, so their statistics have been reported.
    func waitForWorkerSessionsToEnd() async throws {
        let deadline = ContinuousClock.now + .seconds(10)
        while ContinuousClock.now < deadline {
            let open = try await monitor.query(
                "SELECT count(*) AS n FROM pg_stat_activity WHERE application_name = 'idv-batch'")[0].decode(
                    Int.self, "n")
            if open == 0 { return }
            try await Task.sleep(for: .milliseconds(20))
        }
    }
}
