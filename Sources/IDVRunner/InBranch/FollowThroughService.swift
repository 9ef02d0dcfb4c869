import Foundation
import Logging
import PostgresClient
import ServiceLifecycle
import Synchronization
import YotiClient

/// `idv-batch instructions`: the In-Branch follow-through alone, as a swift-service-lifecycle `Service`
/// (graceful shutdown stops claiming and stores what in-flight calls learned), recorded in `idv.runs`.
package final class FollowThroughService: Service, Sendable {
    let followThrough: FollowThrough
    let requeueFailed: Bool
    private let lastReport = Mutex<FollowThrough.Report?>(nil)
    private let requeued = Mutex(0)
    private let recordID = Mutex<Int64?>(nil)

    /// - Parameters:
    ///   - requeueFailed: first make the selection's failed follow-throughs runnable again.
    ///   - progress: how each step shows its progress; `nil` for none.
    package init(
        configuration: RunnerConfiguration, database: any RunnerDatabase, client: IDVClient, delivery: LetterDelivery,
        requeueFailed: Bool, logger: Logger, progress: ProgressReporter.Mode? = nil
    ) {
        self.followThrough = FollowThrough(
            configuration: configuration, database: database, client: client, delivery: delivery, logger: logger,
            progress: progress)
        self.requeueFailed = requeueFailed
    }

    /// The report of the finished run (`nil` before).
    package var report: FollowThrough.Report? { lastReport.withLock { $0 } }
    /// The run's `idv.runs.id` once it started (`nil` before).
    package var runID: Int64? { recordID.withLock { $0 } }
    /// Rows requeued by `requeueFailed`.
    package var rowsRequeued: Int { requeued.withLock { $0 } }

    /// - Throws: ``OperationError`` `.database` when the run could not start.
    package func run() async throws {
        let configuration = followThrough.configuration
        let database = followThrough.database
        let record: RunRecord
        do {
            if requeueFailed {
                let count = try await FollowThrough.requeueFailed(database: database, batches: configuration.batches)
                requeued.withLock { $0 = count }
            }
            record = try await RunRecord.start(
                database: database, batches: configuration.batches, workerID: configuration.workerID,
                details: #"{"follow_through_only": true}"#)
        } catch is CancellationError {
            throw CancellationError()
        } catch {
            throw OperationError(
                code: .database,
                message: "Could not start the follow-through: \(error). Check the database settings and that "
                    + "`idv-batch migrate` has run (0007 adds the In-Branch columns).")
        }
        recordID.withLock { $0 = record.id }
        let report = await followThrough.execute(runID: record.id)
        lastReport.withLock { $0 = report }
        try? await record.finish(exitCode: report.exitCode, details: #"{"follow_through_only": true}"#)
    }
}
