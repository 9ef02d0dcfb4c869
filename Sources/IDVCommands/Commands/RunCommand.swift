import ArgumentParser
import Foundation
import IDVRunner
import Logging
import YotiClient

/// `idv-batch run`: process runnable rows until none are left, a deadline passes, or a signal arrives.
package struct RunCommand: AsyncParsableCommand {
    package static let configuration = CommandConfiguration(
        commandName: "run",
        abstract: "Create Yoti IDV sessions for the runnable rows of one batch, several, or all.",
        discussion: """
            Claims pending rows that are due (FOR UPDATE SKIP LOCKED, so several workers on several hosts can \
            run the same batch at once), creates one session per row with at most --concurrency calls in \
            flight, and writes back session_id, client_session_token and token_expires_at. Transient failures \
            and 429s are retried with backoff scheduled in the database; permanent ones fail the row with the \
            reason in last_error. Every HTTP attempt is recorded in idv.attempts.

            Exit codes:
              0    all done: no runnable rows left, none failed
              1    finished, but some rows of the selection are failed (see the summary / `status`)
              2    usage or configuration error
              3    aborted: Yoti rejected the credentials, or the database is unreachable
              4    --deadline (or --max-sessions) reached with work left; run again to continue
              5    everything left is in a paused batch (`idv-batch pause`): calls in flight were
                   written back; `idv-batch resume <batch>` releases it, then run again
              130  interrupted by SIGINT, 143 by SIGTERM; work left is safe to resume

            SIGINT/SIGTERM stop claiming, let calls in flight finish within --grace-period, store their \
            results and release unstarted rows; a second signal cancels the calls still in flight (their rows \
            go back to pending flagged possible_duplicate).

            Examples:
              idv-batch run --batch onboarding-2026-11-21
              idv-batch run --batch a --batch b --concurrency 64 --rate 20 --deadline 6h
              idv-batch run --dry-run --batch onboarding-2026-11-21
              idv-batch run --batch ibv-2026-11-21 --letters /srv/idv/letters

            In-Branch rows (spec with ibv_options.support = MANDATORY): after creation the same run fetches \
            each session's configuration, puts the instructions (the row's ibv_instructions over the \
            configuration's ibv_defaults) and saves the letter for your mailer (--letters DIR: \
            DIR/<batch>/<external_ref>.pdf, mode 0600) or asks Yoti to email it (--letters email, the default \
            when neither the command line nor the job file's run.letters says; see --letters). --dry-run also \
            checks In-Branch rows: a document named for every requirement, and no --letters email for a spec \
            subscribing to INSTRUCTIONS_EMAIL_REQUESTED. \
            --no-follow-through skips this; `idv-batch instructions` runs it alone.
              idv-batch run --job jobs/nightly-onboarding.yml --batch onboarding-2026-11-21
              YOTI_CLIENT_SDK_ID=... YOTI_KEY_FILE_PATH=/etc/idv/key.pem DATABASE_URL=postgres://... idv-batch run
            """
    )

    @OptionGroup var job: JobOption
    @OptionGroup var database: DatabaseOptions
    @OptionGroup var yoti: YotiOptions
    @OptionGroup(title: "Pseudonymous user_tracking_id") var trackingID: TrackingIDOptions

    @Option(
        name: .customLong("batch"),
        help: ArgumentHelp(
            "A batch to process (repeatable; default: run.batches of the job file, else all batches).", valueName: "id")
    )
    var batches: [String] = []

    @OptionGroup var tuning: RunTuningOptions
    @OptionGroup(title: "Logging") var logging: LogOptions
    @OptionGroup(title: "Metrics") var metrics: MetricsOptions

    @Flag(
        name: .customLong("dry-run"),
        help: "Validate every selected pending row's spec and report; claim and send nothing.")
    var dryRun = false

    /// The command with the defaults of every flag; ArgumentParser sets what the command line gives.
    package init() {}

    package func run() async throws {
        try await CommandFailure.exiting(execute)
    }

    private func execute() async throws -> Int32 {
        let job = try job.load(for: .run)
        let setup = try await OperationSetup(
            job: job, tuning: tuning, logging: logging, metrics: metrics, batches: batches, trackingID: trackingID,
            label: "idv-batch.run")
        var configuration = setup.configuration
        configuration.dryRun = dryRun
        return try await setup.withPool(database) { pool in
            if configuration.dryRun {
                let report = try await Runner.dryRun(configuration: configuration, database: pool)
                print(report.render())
                return report.exitCode
            }
            let client = try setup.makeClient(yoti)
            let runner = Runner(
                configuration: configuration, database: pool, client: client, logger: setup.logger,
                allowsLiveLine: setup.format == .text)
            let outcome = await Result(catching: {
                try await SignalScope.runOperation("run", logger: setup.logger) { try await runner.execute() }
            })
            try? await client.shutdown()
            let (summary, exitCode) = try outcome.get()
            print(summary.render())
            return exitCode
        }
    }
}
