import ArgumentParser
import Foundation
import Logging
import PostgresClient

/// `idv-batch migrate`: applies pending schema migrations.
package struct Migrate: AsyncParsableCommand {
    package static let configuration = CommandConfiguration(
        commandName: "migrate",
        abstract: "Create or upgrade the idv schema by applying the numbered SQL files in sql/.",
        discussion: """
            Applies each pending sql/NNNN_name.sql file in order, each in its own transaction, and \
            records it with a checksum in idv.schema_migrations. Running it again does nothing, and \
            two copies started at once are safe: the second waits for the first, then finds nothing \
            to do. If a file that was already applied has been edited, migrate refuses to run and \
            says which file: restore it and put the change in a new numbered file.

            The sql/ directory is found from --sql-dir, else $IDV_SQL_DIR, else ./sql, else a sql/ \
            folder beside the executable or above it, else /usr/share/idv-batch/sql (the Debian \
            package's and the container image's).

            Exit codes: 0 applied or already up to date; 2 configuration problem (no sql/ directory, \
            a changed or misnamed migration file, a failing migration); 3 database unreachable or \
            refused the change; 130/143 interrupted by SIGINT/SIGTERM (the migration in flight is rolled \
            back, those already applied are kept: run it again).
            """
    )

    @OptionGroup var database: DatabaseOptions
    @OptionGroup(title: "Logging") var logging: LogOptions

    @Option(
        name: .customLong("sql-dir"),
        help: ArgumentHelp("Directory holding the NNNN_name.sql migrations.", valueName: "path"))
    var sqlDirectory: String?

    /// The command with the defaults of every flag; ArgumentParser sets what the command line gives.
    package init() {}

    package func run() async throws {
        let migrator: Migrator
        let configuration: PostgresConfiguration
        let connection: PostgresConnection
        let logger: Logger
        do {
            logger = try CommandLogger.make(label: "idv-batch.migrate", settings: logging.settings()).logger
        } catch let failure as CommandFailure {
            throw failure.exit()
        }
        do {
            migrator = Migrator(directory: try Migrator.locateDirectory(explicit: sqlDirectory))
            configuration = try database.configuration()
            connection = try await PostgresConnection.connect(configuration)
        } catch {
            throw fail(error)
        }
        // SIGINT/SIGTERM cancel the migration in flight (PostgreSQL rolls its transaction back); the ones
        // already committed stay, and running migrate again applies the rest.
        let scoped = await SignalScope.run(mode: .cancelStatement, logger: logger) {
            try await migrator.migrate(on: connection)
        }
        if scoped.signal != nil, case .failure? = scoped.result {
            await connection.close()
            FileHandle.standardError.write(
                Data(
                    ("idv-batch migrate: interrupted; the migration in flight was rolled back, those already applied "
                        + "are kept. Run `idv-batch migrate` again to finish.\n").utf8))
            throw ExitCode(scoped.interruptedExitCode)
        }
        do {
            let report = try scoped.get()
            await connection.close()
            for migration in report.applied {
                logger.debug("Migration applied", metadata: ["migration": "\(migration.fileName)"])
                print("Applied \(migration.fileName)")
            }
            let total = report.alreadyApplied + report.applied.count
            if report.applied.isEmpty {
                print("Already up to date: \(total) migration(s) applied (\(configuration.redactedDescription)).")
            } else {
                print(
                    "Applied \(report.applied.count) migration(s); \(total) in total "
                        + "(\(configuration.redactedDescription)).")
            }
        } catch {
            await connection.close()
            throw fail(error)
        }
    }

    /// Prints what went wrong and what to do to stderr, and returns the exit code for cron.
    private func fail(_ error: any Error) -> ExitCode {
        let message: String
        switch error {
        case let error as MigrationError: message = error.message
        case let error as PostgresError: message = error.description
        default: message = String(describing: error)
        }
        FileHandle.standardError.write(Data("idv-batch migrate: \(message)\n".utf8))
        switch error {
        case is MigrationError:
            return ExitCode(2)
        case let error as PostgresError where error.code == .invalidConfiguration:
            return ExitCode(2)
        default:
            return ExitCode(3)
        }
    }
}
