import ArgumentParser
import IDVRunner
import PostgresClient

/// `idv-batch pause <batch>`: hold a batch; every worker stops claiming its rows within one claim.
package struct PauseCommand: AsyncParsableCommand {
    package static let configuration = CommandConfiguration(
        commandName: "pause",
        abstract: "Hold a batch: no worker claims its rows until `idv-batch resume`.",
        discussion: """
            The pause is stored in idv.batches (a row is added when the batch has none), so it holds for \
            every worker on every host and for the next cron or Kubernetes run: each worker sees it at its \
            next claim. Calls already in flight finish and are written back. A run whose selection has \
            nothing left but rows of paused batches ends with exit 5 and says which batch is paused and how \
            to resume it. Recorded in idv.batch_actions (who, why, when); shown by `idv-batch status`.

            Pausing a paused batch changes nothing and exits 0.

            Exit codes: 0 paused (or already paused); 2 unknown batch or usage; 3 database unreachable.

            Example:
              idv-batch pause onboarding-2026-11-21 --reason "wrong config, fixing" --by alice
            """
    )

    @OptionGroup var database: DatabaseOptions
    @OptionGroup var audit: AuditOptions

    @Argument(help: ArgumentHelp("The batch to pause.", valueName: "batch-id"))
    var batchID: String

    package init() {}

    package func run() async throws {
        try await CommandFailure.exiting {
            let result = try await database.withPool { pool in
                try await BatchControl(pool: pool).pause(batchID: batchID, by: audit.requester)
            }
            if result.changed {
                print(
                    "Paused batch \(batchID): \(result.pendingRows) pending rows wait; "
                        + "\(result.inFlightRows) rows in flight finish and are written back. "
                        + "`idv-batch resume \(batchID)` releases it.")
            } else {
                print(
                    "Batch \(batchID) was already paused" + (result.pausedBy.map { " by \($0)" } ?? "")
                        + (result.reason.map { " (\($0))" } ?? "") + "; nothing changed.")
            }
            return 0
        }
    }
}
