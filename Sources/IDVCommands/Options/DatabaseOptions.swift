import ArgumentParser
import Foundation
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
