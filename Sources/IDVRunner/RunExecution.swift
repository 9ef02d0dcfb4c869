import Foundation
import IDVLogging
import Logging
import ServiceLifecycle
import Synchronization

/// One run's moving parts: built by ``Runner/execute()``, used once.
///
/// The window loop (``RunExecution+Window``) claims and calls; beside it run the write-back flush
/// loop, the lease maintenance loop and the progress reporter. The final write-back and the summary
/// are done in an unstructured task so a cancelled run still stores what it learned.
final class RunExecution: Sendable {
    let configuration: RunnerConfiguration
    let database: any RunnerDatabase
    let sessions: any SessionCreating
    let logger: Logger
    let record: RunRecord
    let catalog: SpecCatalog
    let counters: SharedRunCounters
    let stop = StopController()
    let buffer: WriteBackBuffer
    let limiter: SharedRateLimiter
    let claimer: RowClaimer
    let sweeper: LeaseSweeper
    let selection: SelectionState
    let planner: WriteBackPlanner
    let progress: ProgressReporter
    let startedAt: Date
    let startInstant = ContinuousClock.now

    private init(
        runner: Runner,
        record: RunRecord,
        catalog: SpecCatalog,
        total: Int,
        startedAt: Date
    ) {
        let configuration = runner.configuration
        var logger = runner.logger
        logger[metadataKey: LogKey.runID] = "\(record.id)"
        logger[metadataKey: LogKey.worker] = "\(configuration.workerID)"
        self.configuration = configuration
        self.database = runner.database
        self.sessions = runner.sessions
        self.logger = logger
        self.record = record
        self.catalog = catalog
        self.counters = SharedRunCounters(RunCounters(total: total))
        self.buffer = WriteBackBuffer(
            database: runner.database,
            batchSize: configuration.writeBackBatchSize,
            interval: configuration.writeBackInterval,
            clock: configuration.clock,
            logger: logger,
            metrics: configuration.metrics
        )
        self.limiter = SharedRateLimiter(
            database: runner.database, rate: configuration.rate, clock: configuration.clock, logger: logger)
        self.claimer = RowClaimer(
            database: runner.database,
            batches: configuration.batches,
            workerID: configuration.workerID,
            leaseDuration: configuration.leaseDuration,
            runID: record.id,
            clock: configuration.clock
        )
        self.sweeper = LeaseSweeper(
            database: runner.database,
            batches: configuration.batches,
            workerID: configuration.workerID,
            leaseDuration: configuration.leaseDuration,
            maxAttempts: configuration.maxAttempts
        )
        self.selection = SelectionState(database: runner.database, batches: configuration.batches)
        self.planner = WriteBackPlanner(configuration)
        self.startedAt = startedAt
        self.progress = ProgressReporter(
            mode: runner.progressMode,
            counters: counters,
            clock: configuration.clock,
            logger: logger,
            startedAt: startedAt
        )
    }

    /// Records the run, loads the named configurations and counts the work.
    /// - Throws: ``OperationError`` `.database`.
    static func prepare(runner: Runner) async throws -> RunExecution {
        let configuration = runner.configuration
        do {
            let record = try await RunRecord.start(
                database: runner.database,
                batches: configuration.batches,
                workerID: configuration.workerID,
                details: Self.detailsJSON(configuration)
            )
            let catalog = try await SpecCatalog.load(from: runner.database)
            let total = try await SelectionState(database: runner.database, batches: configuration.batches)
                .unfinishedCount()
            return RunExecution(
                runner: runner, record: record, catalog: catalog, total: total, startedAt: configuration.clock.now())
        } catch is CancellationError {
            throw CancellationError()
        } catch {
            throw OperationError(
                code: .database,
                message: "Could not start the run: \(error). Check --database-url / DATABASE_URL (or PG* variables), "
                    + "that the server is up, and that `idv-batch migrate` has been run."
            )
        }
    }

    /// Runs to the end and returns the summary; never throws (problems become the stop reason).
    func run() async -> RunSummary {
        logger.info(
            "Run started",
            metadata: [
                LogKey.batchID: "\(configuration.batches.isEmpty ? "*" : configuration.batches.joined(separator: ","))",
                "rows": "\(counters.withLock { $0.total })",
                "concurrency": "\(configuration.concurrency)",
            ]
        )
        await reclaimExpiredLeases()
        await withTaskGroup(of: Void.self) { background in
            background.addTask { await self.buffer.runFlushLoop() }
            background.addTask { await self.maintain() }
            background.addTask { await self.progress.run() }
            await withGracefulShutdownHandler {
                await self.window()
            } onGracefulShutdown: {
                self.stop.request(.interrupted, detail: "Shutdown requested: in-flight calls were allowed to finish.")
            }
            background.cancelAll()
        }
        // Not a child of a possibly cancelled task: the results must reach the database.
        return await Task { await self.finish() }.value
    }

    /// Periodic lease work: renew ours, reclaim dead workers', and notice a database that stays away.
    private func maintain() async {
        let clock = configuration.clock
        let renewEvery = configuration.leaseDuration / 3
        var lastSweep = ContinuousClock.now
        var lastRenew = ContinuousClock.now
        while !Task.isCancelled {
            do { try await clock.sleep(.milliseconds(500)) } catch { return }
            let now = ContinuousClock.now
            configuration.metrics.runDuration(now - startInstant)
            if now - lastRenew >= renewEvery {
                lastRenew = now
                do {
                    try await sweeper.renewLeases()
                } catch {
                    logger.warning("Could not renew leases", metadata: [LogKey.error: "\(error)"])
                }
            }
            if now - lastSweep >= configuration.leaseSweepInterval {
                lastSweep = now
                await reclaimExpiredLeases()
            }
            let failures = await buffer.failureState
            // About 30 s of failed flushes (one every 100 ms): the database is gone, not hiccuping.
            if failures.consecutive >= 300 {
                stop.request(
                    .databaseUnavailable,
                    detail: "The database stopped accepting results (\(failures.last.map { "\($0)" } ?? "unknown error")). "
                        + "Rows still leased become runnable again when their leases expire."
                )
            }
        }
    }

    func reclaimExpiredLeases() async {
        do {
            let result = try await sweeper.reclaimExpired()
            if result.rowsReleased > 0 {
                counters.withLock { $0.leasesReclaimed += result.rowsReleased }
                configuration.metrics.leasesReclaimed(result.rowsReleased)
                logger.warning(
                    "Reclaimed rows whose worker died mid-call; flagged as possible duplicates",
                    metadata: ["rows": "\(result.rowsReleased)", "rows.failed": "\(result.rowsFailed)"]
                )
            }
        } catch is CancellationError {
        } catch {
            logger.warning("Could not reclaim expired leases", metadata: [LogKey.error: "\(error)"])
        }
    }

    /// Stores what is left, tallies the selection and closes the run record.
    private func finish() async -> RunSummary {
        do {
            try await buffer.drain()
        } catch {
            let waiting = await buffer.waiting
            logger.error(
                "Results could not be stored; their rows stay leased until the leases expire, then are retried as possible duplicates (the ledger shows the open attempts)",
                metadata: ["results": "\(waiting)", LogKey.error: "\(error)"]
            )
            stop.request(.databaseUnavailable)
        }
        let counts = counters.withLock { $0 }
        let writeBack = await buffer.currentStatistics
        let rateLimit = await limiter.currentStatistics
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
        let reason = stop.reason ?? .completed
        let workLeft = (statusCounts["pending"] ?? 0) + (statusCounts["in_progress"] ?? 0)
        let failedRows = statusCounts["failed"] ?? 0
        var exitCode = reason.exitCode(workLeft: workLeft, failedRows: failedRows)
        if !tallied && exitCode < 3 { exitCode = 3 }
        let summary = RunSummary(
            runID: record.id,
            batches: configuration.batches,
            workerID: configuration.workerID,
            stopReason: reason,
            stopDetail: stop.detail,
            exitCode: exitCode,
            statusCounts: statusCounts,
            possibleDuplicates: possibleDuplicates,
            errorClasses: errorClasses,
            rowsAtStart: counts.total,
            workLeft: workLeft,
            sessionsCreated: counts.created,
            rowsFailed: counts.failed,
            retriesScheduled: counts.retriesScheduled,
            rateLimited: counts.rateLimited,
            rateLimitWaits: rateLimit.waits,
            unknownOutcomes: counts.unknownOutcomes,
            released: counts.released,
            leasesReclaimed: counts.leasesReclaimed,
            leaseLost: writeBack.entriesLeaseLost,
            callsStarted: counts.callsStarted,
            claimRoundTrips: counts.claimRoundTrips,
            writeBackRoundTrips: writeBack.flushes,
            duration: ContinuousClock.now - startInstant
        )
        configuration.metrics.runFinished(duration: summary.duration, exitCode: exitCode)
        do {
            try await record.finish(summary: summary, details: Self.finishDetailsJSON(summary))
        } catch {
            logger.warning("Could not record the end of the run in idv.runs", metadata: [LogKey.error: "\(error)"])
        }
        logger.info(
            "Run finished",
            metadata: [
                "stop": "\(reason)", "exit_code": "\(exitCode)", "created": "\(counts.created)",
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
        jsonText([
            "stop_reason": summary.stopReason.description,
            "sessions_created": summary.sessionsCreated,
            "calls": summary.callsStarted,
            "rate_limited": summary.rateLimited,
            "rate_limit_waits": summary.rateLimitWaits,
            "unknown_outcomes": summary.unknownOutcomes,
            "released": summary.released,
            "leases_reclaimed": summary.leasesReclaimed,
            "lease_lost": summary.leaseLost,
            "claim_round_trips": summary.claimRoundTrips,
            "write_back_round_trips": summary.writeBackRoundTrips,
            "duration_seconds": summary.duration.secondsDouble,
        ])
    }

    private static func jsonText(_ object: [String: Any]) -> String {
        guard let data = try? JSONSerialization.data(withJSONObject: object, options: [.sortedKeys]) else { return "{}" }
        return String(decoding: data, as: UTF8.self)
    }
}
