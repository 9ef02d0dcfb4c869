import ArgumentParser
import Foundation
import IDVRunner
import PostgresClient
import YotiAPI
import YotiClient

/// `idv-batch expire`: the expiry sweep cron calls.
package struct ExpireCommand: AsyncParsableCommand {
    package static let configuration = CommandConfiguration(
        commandName: "expire",
        abstract: "Mark rows whose session token has expired as expired, clear the token, optionally delete at Yoti.",
        discussion: """
            Rows in state created whose token_expires_at has passed (or is at or before --as-of) become \
            expired and their client_session_token is set to NULL: a dead secret is not kept. The work is \
            done in short chunks (--chunk-size rows per statement) that skip rows other sessions are \
            writing, so it is safe while `run` processes the same table, and running it again changes \
            nothing new. Only one sweep runs at a time: a second one exits 0 saying another is running.

            --delete-remote also deletes the expired rows' sessions at Yoti (DELETE /sessions/{id}, at most \
            --delete-concurrency at once), recording remote_delete_status and remote_deleted_at. A 404 \
            (already gone) counts as deleted; a 409 (checks unfinished) or a transient failure is left for \
            a later sweep; rejected credentials stop the sweep (exit 3). Every sweep is recorded in idv.runs \
            (kind expire).

            SIGINT/SIGTERM: the chunk or the deletes in flight finish, the sweep is recorded in idv.runs \
            (finished_at, exit code) and the metrics file written; exit 130 (SIGINT) or 143 (SIGTERM). A \
            second signal cancels what is still in flight. Running the sweep again finishes the work.

            Exit codes: 0 done (also when another sweep was running, or deletes were deferred); 2 usage \
            error; 3 database unreachable or Yoti credentials rejected; 130/143 interrupted.

            Examples:
              idv-batch expire
              idv-batch expire --delete-remote
              idv-batch expire --dry-run --as-of 2026-12-01T00:00:00Z
              idv-batch expire --job jobs/expiry-sweep.yml
            """
    )

    @OptionGroup var database: DatabaseOptions
    @OptionGroup var yoti: YotiOptions
    @OptionGroup var job: JobOption

    @Option(
        name: .customLong("batch"),
        help: ArgumentHelp("Only this batch (repeatable; default: all batches).", valueName: "id"))
    var batches: [String] = []

    @Option(
        name: .customLong("as-of"),
        help: ArgumentHelp("Sweep as if it were this RFC 3339 time (default: now).", valueName: "time"))
    var asOf: String?

    @Flag(name: .customLong("dry-run"), inversion: .prefixedNo, help: "Report counts only; change nothing.")
    var dryRun: Bool?

    @Flag(name: .customLong("delete-remote"), inversion: .prefixedNo, help: "Also delete the expired sessions at Yoti.")
    var deleteRemote: Bool?

    @Option(
        name: .customLong("chunk-size"),
        help: ArgumentHelp("Rows per expiry statement (default 5000).", valueName: "rows"))
    var chunkSize: Int?

    @Option(
        name: .customLong("delete-concurrency"),
        help: ArgumentHelp("Remote deletes in flight at most (default 8).", valueName: "n"))
    var deleteConcurrency: Int?

    @Option(
        name: .customLong("request-timeout"),
        help: ArgumentHelp("Seconds one Yoti delete may take (default 30).", valueName: "s"))
    var requestTimeout: Double?

    @OptionGroup(title: "Logging") var logging: LogOptions
    @OptionGroup(title: "Metrics") var metrics: MetricsOptions

    /// The command with the defaults of every flag; ArgumentParser sets what the command line gives.
    package init() {}

    package func run() async throws {
        try await CommandFailure.exiting(execute)
    }

    private func execute() async throws -> Int32 {
        let job = try job.load(for: .expire)
        let settings = job?.expire ?? ExpireSettings()
        let environment = try JobOption.environment(for: job)
        var options = ExpirySweeper.Options(batches: batches.isEmpty ? (settings.batches ?? []) : batches)
        if let date = try SweepCommandSupport.asOf(asOf ?? settings.asOf) { options.asOf = date }
        options.dryRun = dryRun ?? settings.dryRun ?? false
        options.deleteRemote = deleteRemote ?? settings.deleteRemote ?? false
        options.chunkSize = chunkSize ?? settings.chunkSize ?? options.chunkSize
        options.deleteConcurrency = deleteConcurrency ?? settings.deleteConcurrency ?? options.deleteConcurrency
        let timeout = try SweepCommandSupport.requestTimeout(requestTimeout, settings.requestTimeout)
        let observability = logging.settings(metrics: metrics).overriding(settings.observability)
        let (logger, _) = try CommandLogger.make(label: "idv-batch.expire", settings: observability)
        let export = try await MetricsExport.prepare(observability, lastSuccessMetric: MetricsHelp.expiryLastSuccess)
        options.metrics = ExpiryMetrics(factory: export.factory)
        let client =
            options.deleteRemote && !options.dryRun
            ? try yoti.filled(from: environment).makeClient(
                options: IDVClient.Options(
                    requestTimeout: .seconds(timeout), maxConnections: options.deleteConcurrency),
                logger: logger)
            : nil
        let signals = SignalState()
        options.interruptedExitCode = { signals.interruptedExitCode }
        let sweeper = ExpirySweeper(
            database: try database.configuration(environment: environment), options: options, deleter: client,
            logger: logger)
        return try await SweepCommandSupport.run(
            export: export, logger: logger, signals: signals, recordExitCode: options.metrics.recordExitCode,
            client: client, render: { ($0.render(), $0.exitCode) }
        ) { try await sweeper.sweep() }
    }
}
