import ArgumentParser
import IDVRunner
import PostgresClient

/// `idv-batch hold <batch> --reason …`: legal hold; purge leaves the batch's personal data alone.
package struct HoldCommand: AsyncParsableCommand {
    package static let configuration = CommandConfiguration(
        commandName: "hold",
        abstract: "Put a batch under legal hold: purge keeps its personal data until `idv-batch release`.",
        discussion: """
            A hold overrides the retention policy for one batch (litigation, a regulator's request): purge \
            skips the batch and says so, and erase needs --override-hold. Stored in idv.batches, so it holds \
            for every host and the next cron run; recorded in idv.batch_actions (who, why, when). --reason \
            is required. Holding a held batch changes nothing and exits 0.

            Exit codes: 0 held (or already held); 2 unknown batch, no --reason, or usage; 3 database unreachable.

            Example:
              idv-batch hold onboarding-2026-11-21 --reason "claim 2026-114, keep until settled" --by dpo
            """
    )

    @OptionGroup var database: DatabaseOptions
    @OptionGroup var audit: AuditOptions

    @Argument(help: ArgumentHelp("The batch to hold.", valueName: "batch-id"))
    var batchID: String

    package init() {}

    package func run() async throws {
        try await CommandFailure.exiting {
            let result = try await database.withPool { pool in
                try await LegalHold(pool: pool).hold(batchID: batchID, by: audit.requester)
            }
            if result.changed {
                print(
                    "Batch \(batchID) is under legal hold: purge keeps the personal data of its "
                        + "\(result.rowsWithPersonalData) rows. `idv-batch release \(batchID)` ends the hold.")
            } else {
                print(
                    "Batch \(batchID) was already held" + (result.heldBy.map { " by \($0)" } ?? "")
                        + (result.reason.map { " (\($0))" } ?? "") + "; nothing changed.")
            }
            return 0
        }
    }
}

/// `idv-batch release <batch>`: end a legal hold.
package struct ReleaseCommand: AsyncParsableCommand {
    package static let configuration = CommandConfiguration(
        commandName: "release",
        abstract: "End a batch's legal hold: the next purge applies the retention policy to it again.",
        discussion: """
            Recorded in idv.batch_actions (who, why, when, how long it was held). Releasing a batch that is \
            not held changes nothing and exits 0.

            Exit codes: 0 released (or not held); 2 unknown batch or usage; 3 database unreachable.

            Example:
              idv-batch release onboarding-2026-11-21 --reason "claim settled" --by dpo
            """
    )

    @OptionGroup var database: DatabaseOptions
    @OptionGroup var audit: AuditOptions

    @Argument(help: ArgumentHelp("The batch to release.", valueName: "batch-id"))
    var batchID: String

    package init() {}

    package func run() async throws {
        try await CommandFailure.exiting {
            let result = try await database.withPool { pool in
                try await LegalHold(pool: pool).release(batchID: batchID, by: audit.requester)
            }
            if result.changed {
                print(
                    "Released the legal hold on batch \(batchID)" + (result.heldBy.map { " (held by \($0))" } ?? "")
                        + ": the next purge applies the retention policy to its \(result.rowsWithPersonalData) rows.")
            } else {
                print("Batch \(batchID) is not under legal hold; nothing changed.")
            }
            return 0
        }
    }
}
