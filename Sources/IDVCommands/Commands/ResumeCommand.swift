import ArgumentParser
import IDVRunner
import PostgresClient

/// `idv-batch resume <batch>`: release a paused batch.
package struct ResumeCommand: AsyncParsableCommand {
    package static let configuration = CommandConfiguration(
        commandName: "resume",
        abstract: "Release a paused batch: workers claim its rows again from their next claim.",
        discussion: """
            Clears the pause set by `idv-batch pause` and records who resumed it in idv.batch_actions. \
            Workers still running pick the rows up at their next claim; otherwise the next run (or \
            `idv-batch run --batch <batch>`) does. Resuming a batch that is not paused changes nothing.

            Exit codes: 0 resumed (or not paused); 2 unknown batch or usage; 3 database unreachable.
            """
    )

    @OptionGroup var database: DatabaseOptions
    @OptionGroup var audit: AuditOptions

    @Argument(help: ArgumentHelp("The batch to resume.", valueName: "batch-id"))
    var batchID: String

    package init() {}

    package func run() async throws {
        try await CommandFailure.exiting {
            let result = try await database.withPool { pool in
                try await BatchControl(pool: pool).resume(batchID: batchID, by: audit.requester)
            }
            if result.changed {
                print(
                    "Resumed batch \(batchID) (paused by \(result.pausedBy ?? "unknown")): \(result.pendingRows) pending "
                        + "rows can be claimed again; `idv-batch run --batch \(batchID)` processes them.")
            } else {
                print("Batch \(batchID) is not paused; nothing changed.")
            }
            return 0
        }
    }
}
