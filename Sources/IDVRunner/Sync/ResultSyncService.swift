import Foundation
import Logging
import ServiceLifecycle
import Synchronization
import YotiClient

/// `idv-batch sync` as a swift-service-lifecycle `Service` (graceful shutdown stops claiming and stores
/// what in-flight calls learned), recorded in `idv.runs` as kind `sync`.
package final class ResultSyncService: Service, Sendable {
    let sync: ResultSync
    /// With `sync --letters DIR`: the letters of sessions notified of a new one, saved again after the results.
    let letters: FollowThrough?
    private let lastReport = Mutex<ResultSync.Report?>(nil)
    private let lastLetters = Mutex<FollowThrough.Report?>(nil)

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

    /// The report of the finished sync (`nil` before).
    package var report: ResultSync.Report? { lastReport.withLock { $0 } }
    /// What `--letters DIR` fetched again (`nil` without it, or before the end).
    package var lettersReport: FollowThrough.Report? { lastLetters.withLock { $0 } }

    /// - Throws: ``OperationError`` `.database` when the sync could not start.
    package func run() async throws {
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
        let report = await sync.execute(runID: record.id)
        lastReport.withLock { $0 = report }
        var exitCode = report.exitCode
        if let letters, report.stopReason == .completed {
            let refreshed = await letters.refreshLetters(runID: record.id)
            lastLetters.withLock { $0 = refreshed }
            exitCode = max(exitCode, refreshed.exitCode)
        }
        try? await record.finish(exitCode: exitCode, details: "{}")
    }
}
