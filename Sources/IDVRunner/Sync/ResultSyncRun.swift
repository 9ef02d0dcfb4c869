import Foundation
import Logging
import YotiClient

/// `idv-batch sync`, recorded in `idv.runs` as kind `sync`. Run as a service
/// (``OperationService``), graceful shutdown stops claiming and stores what in-flight calls learned.
package struct ResultSyncRun: Sendable {
    /// What the sync did, and what `--letters DIR` fetched again.
    package struct Outcome: OperationReport, Hashable {
        package var report: ResultSync.Report
        /// What `--letters DIR` fetched again (`nil` without it, or when the sync did not complete).
        package var letters: FollowThrough.Report?

        /// The sync's stop, or the letters' when the sync completed.
        package var stopReason: RunStopReason {
            report.stopReason == .completed ? letters?.stopReason ?? .completed : report.stopReason
        }
        package var exitCode: Int32 { max(report.exitCode, letters?.exitCode ?? 0) }

        package func render() -> String {
            guard let letters else { return report.render() }
            return report.render() + "\n"
                + "Letters fetched again after INSTRUCTIONS_EMAIL_REQUESTED / NEW_PDF_SUPPLIED: "
                + "\(letters.lettersRefetched) (saved \(letters.succeeded["ibv_letter", default: 0]), "
                + "failed \(letters.failed["ibv_letter", default: 0]))"
        }
    }

    let sync: ResultSync
    /// With `sync --letters DIR`: the letters of sessions notified of a new one, saved again after the results.
    let letters: FollowThrough?

    /// - Parameter letters: `--letters DIR` and the client: after the results, fetch again the letters of
    ///   sessions notified with `INSTRUCTIONS_EMAIL_REQUESTED` or `NEW_PDF_SUPPLIED`; `nil`: none.
    package init(
        configuration: RunnerConfiguration, database: any RunnerDatabase, fetcher: any SessionResultFetching,
        staleAfter: Duration, letters: (directory: URL, client: any InstructionsSending)? = nil, logger: Logger
    ) {
        sync = ResultSync(
            configuration: configuration, database: database, fetcher: fetcher, staleAfter: staleAfter, logger: logger)
        self.letters = letters.map {
            FollowThrough(
                configuration: configuration, database: database, client: $0.client,
                delivery: .save(directory: $0.directory), logger: logger)
        }
    }

    /// Records the run, syncs, fetches the notified letters again (with `letters`) and closes the record.
    /// - Throws: ``OperationError`` `.database` when the sync could not start.
    package func execute() async throws -> Outcome {
        let record: RunRecord
        do {
            record = try await RunRecord.start(
                database: sync.database, kind: .sync, batches: sync.configuration.batches,
                workerID: sync.configuration.workerID, details: "{}")
        } catch is CancellationError {
            throw CancellationError()
        } catch {
            throw OperationError(
                code: .database,
                message: "Could not start the sync: \(error). Check the database settings and that "
                    + "`idv-batch migrate` has run (0009 adds the result columns, 0012 the `sync` run kind).")
        }
        var outcome = Outcome(report: await sync.execute(runID: record.id))
        if let letters, outcome.report.stopReason == .completed {
            outcome.letters = await letters.refreshLetters(runID: record.id)
        }
        try? await record.finish(exitCode: outcome.exitCode, details: "{}")
        return outcome
    }
}
