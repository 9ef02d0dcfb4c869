import ArgumentParser
import Foundation
import IDVRunner
import Logging
import PostgresClient
import YotiClient

/// `idv-batch sync`: fetches who finished, and what Yoti decided, for sessions that need it.
package struct SyncCommand: AsyncParsableCommand {
    package static let configuration = CommandConfiguration(
        commandName: "sync",
        abstract: "Fetch session results (state and check recommendations) from Yoti for rows that need one.",
        discussion: """
            For rows holding a session, GET /sessions/{id} and record beside status: remote_state \
            (ONGOING, COMPLETED, EXPIRED, or NOT_FOUND for a 404), result_checked_at, result_completed_at, \
            result_outcome (per check: type, state, recommendation value and reason — no media, no personal \
            data) and result_recommendation (REJECT if any check rejects, NOT_AVAILABLE if any is not \
            available, APPROVE when all approve).

            Which rows: first those named by a waiting notification in idv.notifications (stored by \
            `idv-batch notifications serve`), then those not checked for --stale-after (or never). Never a \
            row already final (COMPLETED, EXPIRED, NOT_FOUND), deleted at Yoti, or expired and already \
            checked --stale-after past its token's expiry. A row whose fetch failed for good (result_error \
            says why) waits --stale-after from that fetch before it is tried again, unless Yoti notifies. \
            A second sync right after the first makes no calls unless notifications arrived. The notifications a fetch answers are marked processed.

            Every call is leased, paced by the batch's shared rate (--rate), retried with backoff in the \
            database (5xx, 429, network) and in idv.attempts (operation session_result). A 401 stops the \
            sync. Schedule it like the expiry sweep: jobs/sync-results.yml, jobs/schedule/.

            --letters DIR (job file run.letters): then, for In-Branch rows whose letter was saved and whose \
            session got an INSTRUCTIONS_EMAIL_REQUESTED or NEW_PDF_SUPPLIED notification after that letter \
            was fetched, GET /sessions/{id}/instructions/pdf again and replace the saved letter atomically \
            (operation ibv_letter; letter_sha256 says which letter is on disk), so your mailer always has \
            the current one. Without --letters (or with email), letters are not touched.

            Exit codes: 0 done; 1 some fetches failed for good (see result_error; the next sync retries \
            them); 2 usage; 3 database or credentials; 4 deadline with work left; 130/143 interrupted \
            (safe to run again).

            Examples:
              idv-batch sync --batch onboarding-2026-11-21
              idv-batch sync --stale-after 1h --concurrency 16 --rate 20
              idv-batch sync --job jobs/sync-results.yml
            """
    )

    @OptionGroup var job: JobOption
    @OptionGroup var database: DatabaseOptions
    @OptionGroup var yoti: YotiOptions

    @Option(
        name: .customLong("batch"),
        help: ArgumentHelp("A batch to sync (repeatable; default: all).", valueName: "id"))
    var batches: [String] = []

    @Option(
        name: .customLong("stale-after"),
        help: ArgumentHelp(
            "Fetch again rows not checked for this long (6h, 90m, 30s, 0s = every open row; default 6h). "
                + "Notified rows are fetched whatever their age.", valueName: "duration"))
    var staleAfter: String?

    @OptionGroup var tuning: RunTuningOptions
    @OptionGroup(title: "Logging") var logging: LogOptions
    @OptionGroup(title: "Metrics") var metrics: MetricsOptions

    /// The default `--stale-after`.
    static let defaultStaleAfter: Duration = .seconds(6 * 3600)

    /// The command with the defaults of every flag; ArgumentParser sets what the command line gives.
    package init() {}

    package func run() async throws {
        try await CommandFailure.exiting(execute)
    }

    /// `--stale-after`, else the job file's `sync.stale_after` (seconds), else 6 h.
    /// - Throws: ``OperationError`` `.usage` for a value that is not a duration.
    func staleAfterDuration(job: JobFile?) throws -> Duration {
        if let staleAfter {
            guard let seconds = RunDeadline.durationSeconds(staleAfter) else {
                throw OperationError(
                    code: .usage, message: "--stale-after \"\(staleAfter)\" is not a duration: write e.g. 6h, 90m, 45s")
            }
            return .milliseconds(Int64(seconds * 1000))
        }
        if let seconds = job?.syncStaleAfter { return .milliseconds(Int64(seconds * 1000)) }
        return Self.defaultStaleAfter
    }

    private func execute() async throws -> Int32 {
        let job = try job.load(for: .sync)
        let staleAfter = try staleAfterDuration(job: job)
        let setup = try await OperationSetup(
            job: job, tuning: tuning, logging: logging, metrics: metrics, batches: batches, label: "idv-batch.sync",
            lastSuccessMetric: MetricsHelp.syncLastSuccess)
        let configuration = setup.configuration
        let syncMetrics = SyncMetrics(factory: setup.export.factory)
        let letterDelivery = setup.settings.letters == nil ? nil : setup.settings.letterDelivery
        return try await setup.withPool(database, exitCode: syncMetrics.recordExitCode) { pool in
            let client = try setup.makeClient(yoti)
            var letters: (directory: URL, client: any InstructionsSending)?
            if case .save(let directory) = letterDelivery { letters = (directory, client) }
            let sync = ResultSyncRun(
                configuration: configuration, database: pool, fetcher: client, staleAfter: staleAfter,
                letters: letters, logger: setup.logger)
            let outcome = await Result(catching: {
                try await SignalScope.runOperation("sync", logger: setup.logger) { try await sync.execute() }
            })
            try? await client.shutdown()
            let (synced, exitCode) = try outcome.get()
            syncMetrics.record(synced.report)
            print(synced.render())
            return exitCode
        }
    }
}
