import Foundation
import Logging
import ServiceLifecycle
import Synchronization
import YotiClient

/// `idv-batch sync` as a swift-service-lifecycle `Service` (graceful shutdown stops claiming and stores
/// what in-flight calls learned), recorded in `idv.runs` (kind `run`, details `{"sync": true}`).
package final class ResultSyncService: Service, Sendable {
    let sync: ResultSync
    private let lastReport = Mutex<ResultSync.Report?>(nil)

    package init(
        configuration: RunnerConfiguration, database: any RunnerDatabase, fetcher: any SessionResultFetching,
        staleAfter: Duration, logger: Logger
    ) {
        sync = ResultSync(
            configuration: configuration, database: database, fetcher: fetcher, staleAfter: staleAfter, logger: logger)
    }

    /// The report of the finished sync (`nil` before).
    package var report: ResultSync.Report? { lastReport.withLock { $0 } }

    /// - Throws: ``OperationError`` `.database` when the sync could not start.
    package func run() async throws {
        let record: RunRecord
        do {
            record = try await RunRecord.start(
                database: sync.database, batches: sync.configuration.batches, workerID: sync.configuration.workerID,
                details: #"{"sync": true}"#)
        } catch is CancellationError {
            throw CancellationError()
        } catch {
            throw OperationError(
                code: .database,
                message: "Could not start the sync: \(error). Check the database settings and that "
                    + "`idv-batch migrate` has run (0009 adds the result columns).")
        }
        let report = await sync.execute(runID: record.id)
        lastReport.withLock { $0 = report }
        try? await record.finish(exitCode: report.exitCode, details: #"{"sync": true}"#)
    }
}
