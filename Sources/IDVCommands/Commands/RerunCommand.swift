import ArgumentParser
import Foundation
import IDVRunner
import Logging
import PostgresClient
import YotiClient

/// `idv-batch rerun <batch>`: re-queue a batch's failed rows and run them.
package struct RerunCommand: AsyncParsableCommand {
    package static let configuration = CommandConfiguration(
        commandName: "rerun",
        abstract: "Re-queue a batch's failed rows (all, or some error classes or HTTP statuses) and run them.",
        discussion: """
            Moves the batch's failed rows that match the filters back to pending (attempts reset to 0, due \
            now; their last_error stays until the next attempt replaces it, and idv.attempts keeps every \
            earlier try), records the rerun in idv.reruns (who, when, which filters, how many rows), then \
            runs the batch as `idv-batch run --batch <batch>` would, unless --no-run. With both --only and \
            --status, a row must match both.

            Error classes: transient, rate_limited (or rate-limited), permanent, credentials, \
            unknown_outcome, invalid_spec, unclassified (rows without a class).

            --expired reissues instead: the batch's expired rows (their token ran out before the applicant \
            finished) move back to pending with a fresh session to come, at most --max-sessions of them (the \
            cost guard; the rest stay expired). Each row's old session id and expiries are appended to \
            previous_sessions (the dead token is dropped) and idv.attempts keeps the call that made it; the \
            reissue is recorded in idv.reruns and idv.batch_actions. Delete old sessions first with \
            `idv-batch expire --delete-remote` if they must go: a reissued row's old session is not deleted later.

            --follow-through re-queues the batch's failed In-Branch follow-throughs instead (rows created, \
            instructions_status = failed: bad instruction data, no requirement matching a document, a 409, \
            retries used up): each goes back to the step it failed at (the configuration when it was never \
            fetched, the letter when the instructions were sent, else the instructions), attempts reset; \
            recorded in idv.reruns with filters {"follow_through": true}; then the follow-through runs as \
            `idv-batch instructions --batch <batch>` would (--letters DIR or email, as there). Fix the data \
            first (UPDATE ... SET ibv_instructions = ...). `instructions --retry-failed` does the same unrecorded.

            --dry-run counts what would be re-queued (or reissued) and changes nothing.

            Running it again when nothing matches does nothing, says so and exits 0.

            Exit codes: as `run` (0 done, 1 some rows failed again, 3 aborted, 4 deadline, 5 batch paused, \
            130/143 interrupted), plus 0 when nothing was re-queued or with --no-run, and 2 for an unknown batch, an \
            unknown error class or another usage error.

            Examples:
              idv-batch rerun onboarding-2026-11-21
              idv-batch rerun onboarding-2026-11-21 --only transient,rate-limited --status 503
              idv-batch rerun onboarding-2026-11-21 --only invalid_spec --no-run
              idv-batch rerun onboarding-2026-11-21 --expired --max-sessions 500 --dry-run
              idv-batch rerun ibv-2026-11-21 --follow-through --letters /srv/idv/letters
              idv-batch rerun --job jobs/rerun-failed.yml
            """
    )

    @OptionGroup var database: DatabaseOptions
    @OptionGroup var yoti: YotiOptions
    @OptionGroup(title: "Pseudonymous user_tracking_id") var trackingID: TrackingIDOptions
    @OptionGroup var job: JobOption
    @OptionGroup(title: "Run options") var tuning: RunTuningOptions
    @OptionGroup(title: "Logging") var logging: LogOptions
    @OptionGroup(title: "Metrics") var metrics: MetricsOptions

    @Argument(
        help: ArgumentHelp(
            "The batch whose failed rows to re-queue (or rerun.batch in the job file).", valueName: "batch-id"))
    var batchID: String?

    @Option(
        name: .customLong("only"),
        help: ArgumentHelp(
            "Only these error classes, comma-separated (repeatable); values: "
                + RerunFilter.knownErrorClasses.joined(separator: ", ") + ".",
            valueName: "classes"))
    var only: [String] = []

    @Option(
        name: .customLong("status"),
        help: ArgumentHelp("Only rows whose last HTTP status is this (repeatable).", valueName: "code"))
    var statuses: [Int] = []

    @Flag(name: .customLong("no-run"), help: "Re-queue only; leave the rows pending for the next run.")
    var noRun = false

    @Flag(
        help: ArgumentHelp(
            "Reissue: give the batch's expired rows (token ran out) a fresh session instead of re-queuing failed rows.",
            discussion: "The old session id and expiries are kept in previous_sessions (and idv.attempts). "
                + "--max-sessions caps how many rows are reissued."))
    var expired = false

    @Flag(
        name: .customLong("follow-through"),
        help: ArgumentHelp(
            "Re-queue the batch's failed In-Branch follow-throughs (instructions, letters) instead of failed creations.",
            discussion: "Each row goes back to the step it failed at, attempts reset; then the follow-through runs."))
    var followThrough = false

    @Flag(
        name: .customLong("dry-run"),
        help: "Count the rows that would be re-queued (or reissued); change and send nothing.")
    var dryRun = false

    /// The command with the defaults of every flag; ArgumentParser sets what the command line gives.
    package init() {}

    package func run() async throws {
        try await CommandFailure.exiting(execute)
    }

    private func execute() async throws -> Int32 {
        let job = try job.load(for: .rerun)
        guard let batchID = batchID ?? job?.rerun.batch else {
            throw CommandFailure(
                exitCode: 2, message: "Name the batch: `idv-batch rerun <batch-id>` (or rerun.batch in the job file).")
        }
        let classes = only.isEmpty ? (job?.rerun.only ?? []) : only.flatMap(RerunFilter.classes(fromList:))
        let filter = RerunFilter(
            errorClasses: classes, httpStatuses: statuses.isEmpty ? (job?.rerun.statuses ?? []) : statuses)
        let runs = !(noRun || job?.rerun.noRun == true)
        if expired && !(only.isEmpty && statuses.isEmpty) {
            throw CommandFailure(
                exitCode: 2,
                message:
                    "--expired reissues expired rows; --only and --status filter failed rows: use one or the other.")
        }
        if followThrough && (expired || !(only.isEmpty && statuses.isEmpty)) {
            throw CommandFailure(
                exitCode: 2,
                message: "--follow-through re-queues failed follow-throughs; it takes no --expired, --only or --status."
            )
        }
        let setup = try await OperationSetup(
            job: job, tuning: tuning, logging: logging, metrics: metrics, selection: [batchID], trackingID: trackingID,
            label: "idv-batch.rerun")
        let configuration = setup.configuration
        return try await setup.withPool(database) { pool in
            // Nothing to do needs no credentials; with something to do, build the client before any row
            // moves, so a missing key fails with nothing changed.
            let rerunner = Rerunner(pool: pool)
            let matching: Int
            if expired {
                let preview = try await rerunner.reissueExpired(
                    batchID: batchID, limit: configuration.maxSessions, dryRun: true)
                if dryRun {
                    print(preview.render())
                    return 0
                }
                matching = preview.rowsReissued
            } else if followThrough {
                matching = try await rerunner.failedFollowThroughs(batchID: batchID)
                if dryRun {
                    print(
                        "Dry run: \(matching) failed follow-throughs of batch \(batchID) would be re-queued. Nothing changed."
                    )
                    return 0
                }
            } else {
                matching = try await rerunner.matchingRows(batchID: batchID, filter: filter)
                if dryRun {
                    print(
                        "Dry run: \(matching) failed rows of batch \(batchID) match \(filter.summary) and would be re-queued. Nothing changed."
                    )
                    return 0
                }
            }
            let client = runs && matching > 0 ? try setup.makeClient(yoti) : nil
            let code = await Result(catching: {
                if followThrough {
                    return try await rerunFollowThrough(batchID, setup: setup, client: client, pool: pool)
                }
                return try await rerun(batchID, filter: filter, setup: setup, client: client, pool: pool)
            })
            try? await client?.shutdown()
            return try code.get()
        }
    }

    /// `--follow-through`: re-queue the failed follow-throughs, then run them (unless `client` is `nil`).
    private func rerunFollowThrough(
        _ batchID: String, setup: OperationSetup, client: IDVClient?, pool: PostgresPool
    ) async throws -> Int32 {
        let rerunner = Rerunner(pool: pool)
        let result = try await rerunner.requeueFollowThrough(batchID: batchID)
        print(result.render())
        guard let rerunID = result.rerunID else { return 0 }
        guard let client else {
            print(
                "The follow-throughs are waiting; `idv-batch instructions --batch \(batchID)` (or the next run) will do them."
            )
            return 0
        }
        let followThrough = FollowThroughRun(
            configuration: setup.configuration, database: pool, client: client,
            delivery: setup.settings.letterDelivery, requeueFailed: false, logger: setup.logger,
            progress: setup.progressMode)
        let (outcome, exitCode) = try await InstructionsCommand.run(followThrough, logger: setup.logger)
        try await rerunner.recordRun(rerunID: rerunID, runID: outcome.runID)
        return exitCode
    }

    private func rerun(
        _ batchID: String, filter: RerunFilter, setup: OperationSetup, client: IDVClient?, pool: PostgresPool
    ) async throws -> Int32 {
        let rerunner = Rerunner(pool: pool)
        let rerunID: Int64
        if expired {
            let result = try await rerunner.reissueExpired(batchID: batchID, limit: setup.configuration.maxSessions)
            print(result.render())
            guard result.rowsReissued > 0, let id = result.rerunID else { return 0 }
            rerunID = id
        } else {
            let result = try await rerunner.requeue(batchID: batchID, filter: filter)
            print(result.render())
            guard result.rowsRequeued > 0, let id = result.rerunID else { return 0 }
            rerunID = id
        }
        guard let client else {
            print(
                "The rows are pending; `idv-batch run --batch \(batchID)` (or the next scheduled run) will process them."
            )
            return 0
        }
        let runner = Runner(
            configuration: setup.configuration, database: pool, client: client, logger: setup.logger,
            allowsLiveLine: setup.format == .text)
        let (summary, exitCode) = try await SignalScope.runOperation("run", logger: setup.logger) {
            try await runner.execute()
        }
        if let runID = summary.runID {
            try await rerunner.recordRun(rerunID: rerunID, runID: runID)
        }
        print(summary.render())
        return exitCode
    }
}
