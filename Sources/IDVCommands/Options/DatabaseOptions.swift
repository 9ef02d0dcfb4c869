import ArgumentParser
import Foundation
import Logging
import PostgresClient

/// The `--database-url` option shared by every subcommand that talks to PostgreSQL.
struct DatabaseOptions: ParsableArguments {
    @Option(
        name: .customLong("database-url"),
        help: ArgumentHelp(
            "PostgreSQL connection URI or libpq connection string.",
            discussion: """
                Default: $DATABASE_URL, else libpq's own PGHOST, PGPORT, PGDATABASE, PGUSER and \
                PGPASSWORD (and ~/.pgpass). Prefer the environment or ~/.pgpass for passwords: \
                command lines are visible to other users of the machine.
                """,
            valueName: "url"))
    var databaseURL: String?

    /// The configuration from `--database-url`, else `DATABASE_URL`, else libpq's `PG*` defaults.
    ///
    /// - Throws: ``PostgresError`` `.invalidConfiguration` when the URL cannot be parsed.
    func configuration(
        environment: [String: String] = ProcessInfo.processInfo.environment
    ) throws -> PostgresConfiguration {
        if let databaseURL, !databaseURL.isEmpty {
            return try PostgresConfiguration(databaseURL)
        }
        return try PostgresConfiguration.fromEnvironment(environment)
    }
}

extension DatabaseOptions {
    /// Runs `body` with a pool of `maxConnections` (logging to `logger`, default nowhere), shut down
    /// afterwards whatever `body` did.
    /// - Throws: the configuration's error, or `body`'s.
    func withPool<Value: Sendable>(
        maxConnections: Int = 1, logger: Logger? = nil, _ body: (PostgresPool) async throws -> Value
    ) async throws -> Value {
        let target = try configuration()
        let pool =
            logger.map { PostgresPool(configuration: target, maxConnections: maxConnections, logger: $0) }
            ?? PostgresPool(configuration: target, maxConnections: maxConnections)
        let outcome: Result<Value, any Error>
        do { outcome = .success(try await body(pool)) } catch { outcome = .failure(error) }
        await pool.shutdown()
        return try outcome.get()
    }
}
