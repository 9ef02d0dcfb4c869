import Foundation
import LocalPostgres
import PostgresClient

/// Isolated PostgreSQL databases for tests: one server per test process, one database per test.
///
/// The server is `IDV_TEST_DATABASE_URL` or `DATABASE_URL` when set (the role needs CREATEDB),
/// otherwise a ``TemporaryPostgres`` started on first use and shared by every suite in the process.
/// A migrated template database is built once (under an advisory lock, named after the migrations'
/// checksum, so concurrent test processes and changed migrations are both safe); each test then gets
/// `CREATE DATABASE … TEMPLATE` of it under a unique name, which is fast and fully isolated.
///
/// ```swift
/// try await TestDatabase.withMigratedDatabase { configuration in
///     let connection = try await PostgresConnection.connect(configuration)
///     …
/// }
/// ```
package enum TestDatabase {
    /// The shared server: where it is and how to reach its maintenance database.
    package struct Server: Sendable {
        /// Connects to the maintenance database (the URL's own, or `postgres` on the throwaway server).
        package let configuration: PostgresConfiguration
        /// The throwaway server, when one was started (nil when the environment names a server).
        package let temporary: TemporaryPostgres?
    }

    /// The server for this test process, started on first use.
    ///
    /// - Throws: ``TemporaryPostgresError`` when no server is configured and none can be started.
    package static func server() async throws -> Server {
        try await state.server()
    }

    /// Creates an empty database (no migrations applied) and returns its configuration.
    ///
    /// - Parameter prefix: The start of the database name, for recognising it in `psql`.
    package static func createEmpty(prefix: String = "idv_test") async throws -> PostgresConfiguration {
        try await state.createDatabase(prefix: prefix, template: "template0")
    }

    /// Creates a database with every migration in `sql/` applied and returns its configuration.
    package static func createMigrated(prefix: String = "idv_test") async throws -> PostgresConfiguration {
        let template = try await state.migratedTemplate()
        return try await state.createDatabase(prefix: prefix, template: template)
    }

    /// Runs `body` with a fresh migrated database and drops the database afterwards (also on error).
    package static func withMigratedDatabase<Result>(
        isolation: isolated (any Actor)? = #isolation,
        _ body: (PostgresConfiguration) async throws -> Result
    ) async throws -> Result {
        try await withDatabase(try await createMigrated(), body)
    }

    /// Runs `body` with a fresh empty database and drops the database afterwards (also on error).
    package static func withEmptyDatabase<Result>(
        isolation: isolated (any Actor)? = #isolation,
        _ body: (PostgresConfiguration) async throws -> Result
    ) async throws -> Result {
        try await withDatabase(try await createEmpty(), body)
    }

    private static func withDatabase<Result>(
        isolation: isolated (any Actor)? = #isolation,
        _ configuration: PostgresConfiguration,
        _ body: (PostgresConfiguration) async throws -> Result
    ) async throws -> Result {
        do {
            let result = try await body(configuration)
            await drop(configuration)
            return result
        } catch {
            await drop(configuration)
            throw error
        }
    }

    /// Drops a database made by this helper, disconnecting anyone still connected. Best effort.
    package static func drop(_ configuration: PostgresConfiguration) async {
        try? await state.drop(configuration.database)
    }

    private static let state = State()

    /// Serialises start-up and template creation; database creation itself runs concurrently.
    private actor State {
        private var starting: Task<Server, any Error>?
        private var templating: Task<String, any Error>?
        private var counter = 0

        func server() async throws -> Server {
            if let starting { return try await starting.value }
            let task = Task { try await Self.startServer() }
            starting = task
            return try await task.value
        }

        func migratedTemplate() async throws -> String {
            if let templating { return try await templating.value }
            let server = try await server()
            let task = Task { try await Self.buildTemplate(on: server) }
            templating = task
            return try await task.value
        }

        func createDatabase(prefix: String, template: String) async throws -> PostgresConfiguration {
            let server = try await server()
            counter += 1
            let suffix = UUID().uuidString.prefix(8).lowercased()
            let name = "\(prefix)_\(getpid())_\(counter)_\(suffix)"
            try await Self.withMaintenance(server) { connection in
                try await connection.execute(
                    "CREATE DATABASE \(quoteIdentifier(name)) TEMPLATE \(quoteIdentifier(template))")
            }
            return server.configuration.withDatabase(name)
        }

        func drop(_ name: String) async throws {
            let server = try await server()
            try await Self.withMaintenance(server) { connection in
                try await connection.execute("DROP DATABASE IF EXISTS \(quoteIdentifier(name)) WITH (FORCE)")
            }
        }

        private static func startServer() async throws -> Server {
            let environment = ProcessInfo.processInfo.environment
            for variable in ["IDV_TEST_DATABASE_URL", "DATABASE_URL"] {
                if let url = environment[variable], !url.isEmpty {
                    return Server(configuration: try PostgresConfiguration(url), temporary: nil)
                }
            }
            let temporary = try await TemporaryPostgres.start()
            return Server(configuration: temporary.configuration, temporary: temporary)
        }

        /// Builds `idv_tpl_<checksum>` once per server and migration set, safe across test processes.
        private static func buildTemplate(on server: Server) async throws -> String {
            let migrator = Migrator(directory: SharedPaths.migrations)
            let fingerprint = try await withMaintenance(server) { connection in
                let text = try migrator.migrations().map { "\($0.fileName)\n\($0.sql)" }.joined(separator: "\n")
                let rows = try await connection.query(
                    "SELECT left(encode(sha256(convert_to($1, 'UTF8')), 'hex'), 16) AS fingerprint", [.text(text)])
                return try rows[0].decode(String.self, "fingerprint")
            }
            let name = "idv_tpl_\(fingerprint)"
            let building = "\(name)_building"
            let lockKey: PostgresValue = .bigint(0x6964_765F_7465_6D70)  // "idv_temp"
            try await withMaintenance(server) { connection in
                // Released when withMaintenance closes the connection, whatever happens below.
                try await connection.query("SELECT pg_advisory_lock($1)", [lockKey])
                let exists = try await connection.query("SELECT 1 FROM pg_database WHERE datname = $1", [.text(name)])
                guard exists.isEmpty else { return }
                try await connection.execute("DROP DATABASE IF EXISTS \(quoteIdentifier(building)) WITH (FORCE)")
                try await connection.execute("CREATE DATABASE \(quoteIdentifier(building)) TEMPLATE template0")
                let target = try await PostgresConnection.connect(server.configuration.withDatabase(building))
                do {
                    try await migrator.migrate(on: target)
                    await target.close()
                } catch {
                    await target.close()
                    throw error
                }
                // Renaming publishes the template atomically: it is complete or absent, never half-built.
                try await connection.execute(
                    "ALTER DATABASE \(quoteIdentifier(building)) RENAME TO \(quoteIdentifier(name))")
            }
            return name
        }

        @discardableResult
        private static func withMaintenance<Result: Sendable>(
            _ server: Server, _ body: (PostgresConnection) async throws -> Result
        ) async throws -> Result {
            let connection = try await PostgresConnection.connect(server.configuration)
            do {
                let result = try await body(connection)
                await connection.close()
                return result
            } catch {
                await connection.close()
                throw error
            }
        }
    }
}

/// Quotes a generated database name as an SQL identifier. Identifiers cannot be statement
/// parameters; these names are built here from digits, letters and underscores only.
private func quoteIdentifier(_ name: String) -> String {
    "\"" + name.replacingOccurrences(of: "\"", with: "\"\"") + "\""
}
