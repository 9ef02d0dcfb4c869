import Foundation
import Logging
import YotiClient

/// `idv-batch run`: turns the selection's runnable rows into Yoti sessions until none are left.
///
/// ``execute()`` creates the sessions (``CreateRun``), then runs the In-Branch follow-through. Run as a
/// service (``OperationService``) in a `ServiceGroup`, its graceful shutdown (SIGINT, SIGTERM) makes it stop
/// claiming, let in-flight calls finish within the grace period, store every result and release what was
/// not started; cancelling it abandons in-flight calls (recorded as possible duplicates).
package struct Runner: Sendable {
    let configuration: RunnerConfiguration
    let database: any RunnerDatabase
    let sessions: any SessionCreating
    /// The In-Branch follow-through calls (``RunnerConfiguration/followThrough``); `nil`: none.
    let instructions: (any InstructionsSending)?
    let logger: Logger
    let progressMode: ProgressReporter.Mode

    /// A runner for `configuration` that calls Yoti through `client`.
    /// - Parameters:
    ///   - database: PostgreSQL (a `PostgresPool`); the run uses a handful of connections.
    ///   - client: the IDV client; its connection pool should allow `configuration.concurrency` connections.
    ///   - showsProgress: a live line on a terminal, else a log line every `progressInterval`; `false` for none.
    ///   - allowsLiveLine: `false` logs progress even on a terminal (JSON logs must not mix with a live line).
    package init(
        configuration: RunnerConfiguration,
        database: any RunnerDatabase,
        client: IDVClient,
        logger: Logger,
        showsProgress: Bool = true,
        allowsLiveLine: Bool = true
    ) {
        self.init(
            configuration: configuration,
            database: database,
            sessions: client,
            instructions: client,
            logger: logger,
            progressMode: showsProgress
                ? ProgressReporter.mode(allowsLiveLine: allowsLiveLine, logInterval: configuration.progressInterval)
                : .silent
        )
    }

    init(
        configuration: RunnerConfiguration,
        database: any RunnerDatabase,
        sessions: any SessionCreating,
        instructions: (any InstructionsSending)? = nil,
        logger: Logger,
        progressMode: ProgressReporter.Mode = .silent
    ) {
        self.configuration = configuration
        self.database = database
        self.sessions = sessions
        self.instructions = instructions
        self.logger = logger
        self.progressMode = progressMode
    }

    /// Runs and returns the summary. Graceful shutdown (inside a `ServiceGroup`) and cancellation stop it.
    /// - Throws: ``OperationError`` `.usage` (exit 2) or `.database` (exit 3) when the run
    ///   could not start. Problems during the run end it with a summary whose exit code says so.
    package func execute() async throws -> RunSummary {
        guard !configuration.dryRun else {
            // A dry run must never claim or call: refuse rather than silently run for real.
            throw OperationError(
                code: .usage, message: "This configuration is a dry run: use Runner.dryRun(configuration:database:).")
        }
        let problems = configuration.validationProblems()
        guard problems.isEmpty else {
            throw OperationError(code: .usage, message: problems.map(\.description).joined(separator: "; "))
        }
        return try await CreateRun(runner: self).execute()
    }

    /// Validates every pending row of the selection and reports what would be sent. Claims and calls nothing,
    /// so it needs no Yoti credentials.
    /// - Throws: ``OperationError`` `.database` when the rows cannot be read.
    package static func dryRun(configuration: RunnerConfiguration, database: any RunnerDatabase) async throws
        -> DryRunReport
    {
        do {
            let catalog = try await SpecCatalog.load(
                from: database, strict: configuration.strictValidation, pseudonym: configuration.trackingIDPseudonym)
            return try await DryRun(
                database: database, batches: configuration.batches, catalog: catalog,
                letters: configuration.followThrough
            ).run()
        } catch is CancellationError {
            throw CancellationError()
        } catch {
            throw OperationError(
                code: .database,
                message: "Could not read the selection for the dry run: \(error). Check the database settings "
                    + "(--database-url / DATABASE_URL) and that `idv-batch migrate` has run."
            )
        }
    }
}
