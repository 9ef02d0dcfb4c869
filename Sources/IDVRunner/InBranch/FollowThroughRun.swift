import Foundation
import Logging
import PostgresClient
import YotiClient

/// `idv-batch instructions`: the In-Branch follow-through alone, recorded in `idv.runs`. Run as a service
/// (``OperationService``), graceful shutdown stops claiming and stores what in-flight calls learned.
package struct FollowThroughRun: Sendable {
    /// What the follow-through did, and the run it was recorded as.
    package struct Outcome: OperationReport, Hashable {
        package var report: FollowThrough.Report
        /// The run's `idv.runs.id`.
        package var runID: Int64
        /// Rows made runnable again first (`requeueFailed`).
        package var rowsRequeued: Int

        package var stopReason: RunStopReason { report.stopReason }
        package var exitCode: Int32 { report.exitCode }
        package func render() -> String { report.render() }
    }

    let followThrough: FollowThrough
    let requeueFailed: Bool

    /// - Parameters:
    ///   - requeueFailed: first make the selection's failed follow-throughs runnable again.
    ///   - progress: how each step shows its progress; `nil` for none.
    package init(
        configuration: RunnerConfiguration, database: any RunnerDatabase, client: any InstructionsSending,
        delivery: LetterDelivery, requeueFailed: Bool, logger: Logger, progress: ProgressReporter.Mode? = nil
    ) {
        self.followThrough = FollowThrough(
            configuration: configuration, database: database, client: client, delivery: delivery, logger: logger,
            progress: progress)
        self.requeueFailed = requeueFailed
    }

    /// Requeues (if asked), records the run, follows through and closes the record.
    /// - Throws: ``OperationError`` `.database` when the run could not start.
    package func execute() async throws -> Outcome {
        let configuration = followThrough.configuration
        let database = followThrough.database
        let record: RunRecord
        var requeued = 0
        do {
            if requeueFailed {
                requeued = try await FollowThrough.requeueFailed(database: database, batches: configuration.batches)
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
        let report = await followThrough.execute(runID: record.id)
        try? await record.finish(exitCode: report.exitCode, details: #"{"follow_through_only": true}"#)
        return Outcome(report: report, runID: record.id, rowsRequeued: requeued)
    }
}
