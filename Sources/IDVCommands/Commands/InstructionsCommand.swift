import ArgumentParser
import Foundation
import IDVRunner
import Logging
import PostgresClient
import YotiClient

/// `idv-batch instructions`: the In-Branch follow-through alone (configuration, instructions, letter).
package struct InstructionsCommand: AsyncParsableCommand {
    package static let configuration = CommandConfiguration(
        commandName: "instructions",
        abstract: "Send In-Branch instructions and deliver the letters of created In-Branch rows.",
        discussion: """
            For every created row whose session is In-Branch (its spec has ibv_options.support = MANDATORY) \
            and whose follow-through is not finished (instructions_status pending, configured or sent): \
            GET /sessions/{id}/configuration (the requirement ids) → configured; PUT \
            /sessions/{id}/instructions (contact profile, documents mapped to requirement ids, branch; from \
            the row's ibv_instructions merged over the configuration's ibv_defaults) → sent; then the \
            letter: --letters DIR saves GET /sessions/{id}/instructions/pdf atomically as \
            DIR/<batch>/<external_ref>.pdf (mode 0600; size and sha256 in the row) → letter_saved, for \
            your own mailer (Yoti sends nothing), or --letters email (the default) → emailed: the runner \
            asks Yoti with POST /sessions/{id}/instructions/email to email the letter to the contact \
            profile's address (the PUT alone emails nobody). A spec subscribing to \
            INSTRUCTIONS_EMAIL_REQUESTED revokes Yoti's email: such rows are refused with --letters email \
            (use --letters DIR). A row naming no document for a requirement gets the one document the \
            configuration allows; when it allows several, the row fails naming the requirement. `idv-batch run` does the same after creating \
            sessions unless --no-follow-through.

            Every call is leased, rate limited, retried with backoff (5xx, 429, network) and in idv.attempts \
            (operations ibv_configuration, ibv_instructions, ibv_letter or ibv_email). A 409 (session expired) and bad \
            instruction data fail the row's follow-through with the reason in instructions_error; \
            --retry-failed makes them runnable again after the data was fixed (`idv-batch rerun <batch> \
            --follow-through` does the same and records it in idv.reruns).

            Exit codes: 0 done; 1 some follow-throughs failed; 2 usage; 3 database or credentials; \
            4 deadline with work left; 130/143 interrupted (safe to run again).

            Examples:
              idv-batch instructions --batch ibv-2026-11-21 --letters /srv/idv/letters
              idv-batch instructions --batch ibv-2026-11-21 --letters email --retry-failed
            """
    )

    @OptionGroup var job: JobOption
    @OptionGroup var database: DatabaseOptions
    @OptionGroup var yoti: YotiOptions

    @Option(
        name: .customLong("batch"),
        help: ArgumentHelp("A batch to follow through (repeatable; default: all).", valueName: "id"))
    var batches: [String] = []

    @OptionGroup var tuning: RunTuningOptions
    @OptionGroup(title: "Logging") var logging: LogOptions
    @OptionGroup(title: "Metrics") var metrics: MetricsOptions

    @Flag(name: .customLong("retry-failed"), help: "First make failed follow-throughs of the selection runnable again.")
    var retryFailed = false

    /// The command with the defaults of every flag; ArgumentParser sets what the command line gives.
    package init() {}

    package func run() async throws {
        try await CommandFailure.exiting(execute)
    }

    private func execute() async throws -> Int32 {
        let job = try job.load(for: .run)
        let setup = try await OperationSetup(
            job: job, tuning: tuning, logging: logging, metrics: metrics, batches: batches,
            label: "idv-batch.instructions")
        return try await setup.withPool(database) { pool in
            let client = try setup.makeClient(yoti)
            let followThrough = FollowThroughRun(
                configuration: setup.configuration, database: pool, client: client,
                delivery: setup.settings.letterDelivery, requeueFailed: retryFailed, logger: setup.logger,
                progress: setup.progressMode)
            let outcome = await Result(catching: { try await Self.run(followThrough, logger: setup.logger) })
            try? await client.shutdown()
            let (done, exitCode) = try outcome.get()
            if retryFailed { print("Requeued \(done.rowsRequeued) failed follow-throughs.") }
            return exitCode
        }
    }

    /// Runs the follow-through with signal handling and prints its report (`instructions` and
    /// `rerun --follow-through`).
    /// - Returns: the outcome, and the command's exit code.
    static func run(_ followThrough: FollowThroughRun, logger: Logger) async throws -> (
        FollowThroughRun.Outcome, Int32
    ) {
        let (outcome, exitCode) = try await SignalScope.runOperation("follow-through", logger: logger) {
            try await followThrough.execute()
        }
        print(outcome.render())
        return (outcome, exitCode)
    }
}
