import Foundation
import IDVLogging
import Logging
import PostgresClient
import YotiClient

/// One `run` of the create step: records it in `idv.runs`, registers the worker, drives the
/// ``StepEngine`` with a ``CreateSessionStep``, then tallies the selection into the ``RunSummary``.
struct CreateRun: Sendable {
    let runner: Runner

    /// - Throws: ``OperationError`` `.database` when the run could not start.
    func execute() async throws -> RunSummary {
        let configuration = runner.configuration
        var logger = runner.logger
        let record: RunRecord
        let catalog: SpecCatalog
        let warnings = SpecWarnings(logger: logger)
        let outlook: WindowStateMachine.Outlook
        do {
            record = try await RunRecord.start(
                database: runner.database,
                batches: configuration.batches,
                workerID: configuration.workerID,
                details: Self.detailsJSON(configuration)
            )
            catalog = try await SpecCatalog.load(
                from: runner.database, strict: configuration.strictValidation, warnings: warnings,
                pseudonym: configuration.trackingIDPseudonym)
            outlook = try await StepEngine.outlook(
                of: CreateSessionStep(catalog: catalog, sessions: runner.sessions), batches: configuration.batches,
                database: runner.database)
        } catch is CancellationError {
            throw CancellationError()
        } catch {
            throw OperationError(
                code: .database,
                message: "Could not start the run: \(error). Check --database-url / DATABASE_URL (or PG* variables), "
                    + "that the server is up, and that `idv-batch migrate` has been run."
            )
        }
        logger[metadataKey: LogKey.runID] = "\(record.id)"
        logger[metadataKey: LogKey.worker] = "\(configuration.workerID)"
        let total = outlook.pending + outlook.inProgress
        logger.info(
            "Run started",
            metadata: [
                LogKey.batchID: "\(configuration.batches.isEmpty ? "*" : configuration.batches.joined(separator: ","))",
                "rows": "\(total)",
                "concurrency": "\(configuration.concurrency)",
            ]
        )
        let report = await StepEngine.runRegistered(
            CreateSessionStep(catalog: catalog, sessions: runner.sessions), configuration: configuration,
            database: runner.database, runID: record.id, total: total, progress: runner.progressMode, logger: logger)
        var followThrough: FollowThrough.Report?
        if report.stopReason == .completed, let delivery = configuration.followThrough, let client = runner.instructions
        {
            followThrough = await FollowThrough(
                configuration: configuration, database: runner.database, client: client, delivery: delivery,
                logger: logger, progress: runner.progressMode
            ).execute(runID: record.id)
        }
        let summary = await Task { [followThrough] in
            await summarize(report, record: record, warnings: warnings, followThrough: followThrough, logger: logger)
        }.value
        return summary
    }

    /// Tallies the selection, closes the run record and builds the summary.
    private func summarize(
        _ report: StepRunReport, record: RunRecord, warnings: SpecWarnings, followThrough: FollowThrough.Report?,
        logger: Logger
    ) async -> RunSummary {
        let configuration = runner.configuration
        let selection = SelectionState(database: runner.database, batches: configuration.batches)
        var statusCounts: [String: Int] = [:]
        var possibleDuplicates = 0
        var errorClasses: [RunSummary.ErrorClass] = []
        var tallied = true
        do {
            (statusCounts, possibleDuplicates) = try await selection.statusCounts()
            errorClasses = try await selection.failedByErrorClass().map {
                RunSummary.ErrorClass(
                    name: $0.errorClass, count: $0.count, exampleID: $0.exampleID,
                    exampleExternalRef: $0.exampleExternalRef, exampleError: $0.exampleError)
            }
        } catch {
            tallied = false
            logger.error("Could not tally the selection", metadata: [LogKey.error: "\(error)"])
        }
        let counts = report.counters
        let reason = report.stopReason
        var stopDetail = report.stopDetail
        if reason == .paused, let paused = try? await selection.pausedBatches(), !paused.isEmpty {
            stopDetail = paused.map { batch in
                "Batch \(batch.batchID) is paused" + (batch.pausedBy.map { " by \($0)" } ?? "")
                    + (batch.reason.map { " (\($0))" } ?? "")
                    + ": its pending rows wait; `idv-batch resume \(batch.batchID)` releases them, then run again."
            }.joined(separator: "\n  ")
        }
        let workLeft = (statusCounts["pending"] ?? 0) + (statusCounts["in_progress"] ?? 0)
        let failedRows = statusCounts["failed"] ?? 0
        var exitCode = reason.exitCode(
            workLeft: workLeft, failedRows: failedRows, resultsStored: tallied && report.resultsStored)
        if let followThrough { exitCode = max(exitCode, followThrough.exitCode) }
        var summary = RunSummary(
            runID: record.id,
            batches: configuration.batches,
            workerID: configuration.workerID,
            stopReason: reason,
            stopDetail: stopDetail,
            exitCode: exitCode,
            statusCounts: statusCounts,
            possibleDuplicates: possibleDuplicates,
            errorClasses: errorClasses,
            rowsAtStart: counts.total,
            workLeft: workLeft,
            sessionsCreated: counts.succeeded,
            rowsFailed: counts.failed,
            retriesScheduled: counts.retriesScheduled,
            rateLimited: counts.rateLimited,
            rateLimitWaits: report.rateLimitWaits,
            unknownOutcomes: counts.unknownOutcomes,
            released: counts.released,
            leasesReclaimed: counts.leasesReclaimed,
            leaseLost: report.writeBack.entriesLeaseLost,
            callsStarted: counts.callsStarted,
            claimRoundTrips: counts.claimRoundTrips,
            writeBackRoundTrips: report.writeBack.flushes,
            duration: report.duration,
            followThrough: followThrough
        )
        summary.specWarnings = warnings.lines
        if counts.callsStarted > 0 { summary.meanCallSeconds = counts.callSeconds / Double(counts.callsStarted) }
        configuration.metrics.runFinished(duration: summary.duration, exitCode: exitCode)
        do {
            try await record.finish(summary: summary, details: Self.finishDetailsJSON(summary))
        } catch {
            logger.warning("Could not record the end of the run in idv.runs", metadata: [LogKey.error: "\(error)"])
        }
        logger.info(
            "Run finished",
            metadata: [
                "stop": "\(reason)", "exit_code": "\(exitCode)", "created": "\(counts.succeeded)",
                "failed": "\(counts.failed)",
            ]
        )
        return summary
    }

    static func detailsJSON(_ configuration: RunnerConfiguration) -> String {
        var details: [String: Any] = [
            "concurrency": configuration.concurrency,
            "max_attempts": configuration.maxAttempts,
            "on_unknown": configuration.onUnknown.description,
            "lease_seconds": configuration.leaseDuration.secondsDouble,
        ]
        if let rate = configuration.rate { details["rate"] = rate }
        if let maxSessions = configuration.maxSessions { details["max_sessions"] = maxSessions }
        if let deadline = configuration.deadline { details["deadline"] = deadline.formatted(.iso8601) }
        return jsonText(details)
    }

    static func finishDetailsJSON(_ summary: RunSummary) -> String {
        var details: [String: Any] = [
            "stop_reason": summary.stopReason.description,
            "sessions_created": summary.sessionsCreated,
            "calls": summary.callsStarted,
            ErrorClass.rateLimited.rawValue: summary.rateLimited,
            "rate_limit_waits": summary.rateLimitWaits,
            "unknown_outcomes": summary.unknownOutcomes,
            "released": summary.released,
            "leases_reclaimed": summary.leasesReclaimed,
            "lease_lost": summary.leaseLost,
            "claim_round_trips": summary.claimRoundTrips,
            "write_back_round_trips": summary.writeBackRoundTrips,
            "duration_seconds": summary.duration.secondsDouble,
        ]
        if let mean = summary.meanCallSeconds { details["mean_call_seconds"] = mean }
        return jsonText(details)
    }

    private static func jsonText(_ object: [String: Any]) -> String {
        guard let data = try? JSONSerialization.data(withJSONObject: object, options: [.sortedKeys]) else {
            return "{}"
        }
        return String(decoding: data, as: UTF8.self)
    }
}
