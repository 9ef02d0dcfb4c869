import ArgumentParser
import Foundation
import IDVRunner
import PostgresClient
import YotiAPI
import YotiClient

/// `idv-batch purge`: the retention sweep cron calls.
package struct PurgeCommand: AsyncParsableCommand {
    package static let configuration = CommandConfiguration(
        commandName: "purge",
        abstract: "Remove the personal data of finished rows once their retention period has passed.",
        discussion: """
            A row is finished when it is expired, failed or cancelled (a created row once its token has \
            expired). For each kind of data the policy gives a period counted from then, or never:
              personal_inputs  session_spec (applicant profile), ibv_instructions, the letter file and its path
                               (default 30d); the row is marked personal_data_purged_at
              results          the recorded per-check outcome and recommendation (default never: KYC records)
              notifications    stored notification payloads once processed (default 30d)
              yoti_sessions    the session at Yoti, deleted through the delete step once its checks are finished;
                               a 409 waits for the next purge, never forced (default 30d)
            Periods: a whole number with s, m, h, d or w (30d, 12h, 2w, 0d), or never. What is not personal \
            stays: batch, external_ref, states, error classes, times, session ids and the attempt ledger.

            Batches under legal hold (`idv-batch hold`) are skipped and named. A letter file already missing \
            is recorded, not an error; one that cannot be deleted leaves that row unpurged with the reason \
            (exit 1) and the rest carries on. A purged failed row cannot be rerun.

            The work is done in chunks (--chunk-size rows, each its own short transaction) that skip rows \
            other sessions hold, so it runs beside run, sync and the receiver. One purge at a time. Every \
            purge is recorded in idv.runs (kind purge); the metrics file gets idv_purge_* and \
            idv_personal_data_overdue_rows. Without Yoti credentials sessions stay requested for a later purge.

            SIGINT/SIGTERM: the chunk in flight commits, the purge is recorded, exit 130/143; run it again \
            to finish.

            Exit codes: 0 done; 1 some rows could not be purged; 2 usage error (unknown kind, bad or negative \
            period: nothing changed); 3 database unreachable or Yoti credentials rejected; 130/143 interrupted.

            Examples:
              idv-batch purge --dry-run
              idv-batch purge --personal-inputs 90d --results 260w
              idv-batch purge --as-of 2027-06-01T00:00:00Z --sdk-id "$YOTI_CLIENT_SDK_ID" --key-file key.pem
              idv-batch purge --job jobs/purge.yml
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
        help: ArgumentHelp("Purge as if it were this RFC 3339 time (default: now).", valueName: "time"))
    var asOf: String?

    @Flag(name: .customLong("dry-run"), inversion: .prefixedNo, help: "Count what would go, per kind and batch.")
    var dryRun: Bool?

    @Option(
        name: .customLong("personal-inputs"),
        help: ArgumentHelp("Keep personal inputs (default 30d).", valueName: "period"))
    var personalInputs: String?

    @Option(
        name: .customLong("results"), help: ArgumentHelp("Keep recorded results (default never).", valueName: "period"))
    var results: String?

    @Option(
        name: .customLong("notifications"),
        help: ArgumentHelp("Keep processed notification payloads (default 30d).", valueName: "period"))
    var notifications: String?

    @Option(
        name: .customLong("yoti-sessions"),
        help: ArgumentHelp("Keep the sessions at Yoti (default 30d).", valueName: "period"))
    var yotiSessions: String?

    @Option(
        name: .customLong("chunk-size"), help: ArgumentHelp("Rows per transaction (default 1000).", valueName: "rows"))
    var chunkSize: Int?

    @Option(
        name: .customLong("delete-concurrency"),
        help: ArgumentHelp("Yoti deletes in flight at most (default 8).", valueName: "n"))
    var deleteConcurrency: Int?

    @Option(
        name: .customLong("request-timeout"),
        help: ArgumentHelp("Seconds one Yoti delete may take (default 30).", valueName: "s"))
    var requestTimeout: Double?

    @OptionGroup(title: "Logging") var logging: LogOptions
    @OptionGroup(title: "Metrics") var metrics: MetricsOptions

    package init() {}

    package func run() async throws {
        try await CommandFailure.exiting(execute)
    }

    private func execute() async throws -> Int32 {
        let job = try job.load(for: .purge)
        let settings = job?.purge ?? PurgeSettings()
        let environment = try JobOption.environment(for: job)
        var given = settings.retention.map { (kind: $0.key, period: $0.value) }
        for (kind, value) in [
            ("personal_inputs", personalInputs), ("results", results), ("notifications", notifications),
            ("yoti_sessions", yotiSessions),
        ] {
            if let value { given.append((kind: kind, period: value)) }
        }
        var options = Purger.Options(
            batches: batches.isEmpty ? (settings.batches ?? []) : batches, policy: try RetentionPolicy.parse(given))
        if let date = try SweepCommandSupport.asOf(asOf ?? settings.asOf) { options.asOf = date }
        options.dryRun = dryRun ?? settings.dryRun ?? false
        options.chunkSize = chunkSize ?? settings.chunkSize ?? options.chunkSize
        options.deleteConcurrency = deleteConcurrency ?? settings.deleteConcurrency ?? options.deleteConcurrency
        let timeout = try SweepCommandSupport.requestTimeout(requestTimeout, settings.requestTimeout)
        options.requestTimeout = .seconds(timeout)
        let observability = logging.settings(metrics: metrics).overriding(settings.observability)
        let (logger, _) = try CommandLogger.make(label: "idv-batch.purge", settings: observability)
        let export = try await MetricsExport.prepare(observability, lastSuccessMetric: MetricsHelp.purgeLastSuccess)
        options.metrics = RetentionMetrics(factory: export.factory)
        let filled = yoti.filled(from: environment)
        let client =
            options.policy.yotiSessions != .never && !options.dryRun && filled.sdkID != nil && filled.keyFile != nil
            ? try filled.makeClient(
                options: IDVClient.Options(
                    requestTimeout: .seconds(timeout), maxConnections: options.deleteConcurrency),
                logger: logger)
            : nil
        let signals = SignalState()
        options.interruptedExitCode = { signals.interruptedExitCode }
        let purger = Purger(
            database: try database.configuration(environment: environment), options: options, deleter: client,
            logger: logger)
        return try await SweepCommandSupport.run(
            export: export, logger: logger, signals: signals, recordExitCode: options.metrics.recordExitCode,
            client: client, render: { ($0.render(), $0.exitCode) }
        ) { try await purger.purge() }
    }
}
