import Foundation
import IDVLogging
import Logging
import PostgresClient
import ServiceLifecycle
import Synchronization

/// Runs one ``RemoteStep`` over the selected rows until none is left: the engine every remote step reuses.
///
/// The window (``StepEngine+Window``, decisions in ``WindowStateMachine``) claims and calls; beside it
/// run the write-back flush loop, the lease maintenance loop (renew ours, give back dead workers' rows,
/// keep our presence lock) and the progress reporter. The final write-back is done in an unstructured
/// task so a cancelled run still stores what it learned.
final class StepEngine<Step: RemoteStep>: Sendable {
    let step: Step
    let configuration: RunnerConfiguration
    let database: any RunnerDatabase
    let logger: Logger
    let statements: StepStatements
    let counters: SharedStepCounters
    let stop = StopController()
    let buffer: WriteBackBuffer<Step.Row>
    let limiter: SharedRateLimiter
    let claimer: StepClaimer<Step>
    let leases: LeaseKeeper
    let policy: RetryPolicy
    let presence: WorkerPresence?
    let progress: ProgressReporter?
    let runID: Int64?
    let startInstant = ContinuousClock.now

    /// An engine for `step`.
    /// - Parameters:
    ///   - runID: `idv.runs.id`, stamped on every ledger row.
    ///   - presence: this worker's presence lock (its rows are rescued within seconds if it dies).
    ///   - progress: how to show progress; `nil` for none.
    init(
        step: Step,
        configuration: RunnerConfiguration,
        database: any RunnerDatabase,
        runID: Int64?,
        presence: WorkerPresence?,
        total: Int,
        progress: ProgressReporter.Mode?,
        logger: Logger
    ) {
        let statements = StepStatements(step.sql, oncePerRun: !step.waitsForRetries)
        self.step = step
        self.configuration = configuration
        self.database = database
        self.logger = logger
        self.statements = statements
        self.presence = presence
        self.runID = runID
        let counters = SharedStepCounters(StepCounters(total: total))
        self.counters = counters
        self.buffer = WriteBackBuffer(
            database: database,
            statements: statements,
            operation: step.operation,
            highWater: configuration.writeBackHighWater,
            clock: configuration.clock,
            logger: logger,
            metrics: configuration.metrics
        )
        self.limiter = SharedRateLimiter(
            database: database, rate: configuration.rate, clock: configuration.clock, logger: logger)
        self.claimer = StepClaimer(
            step: step,
            statements: statements,
            database: database,
            batches: configuration.batches,
            workerName: configuration.workerID,
            workerID: presence?.id,
            leaseDuration: configuration.leaseDuration,
            runID: runID,
            clock: configuration.clock
        )
        self.leases = LeaseKeeper(
            database: database,
            statements: statements,
            operation: step.operation,
            batches: configuration.batches,
            workerID: configuration.workerID,
            leaseDuration: configuration.leaseDuration,
            maxAttempts: configuration.maxAttempts
        )
        self.policy = RetryPolicy(configuration)
        self.progress = progress.map {
            ProgressReporter(
                mode: $0, counters: counters, clock: configuration.clock, logger: logger,
                step: step.progressLabel, successWord: step.successOutcome,
                startedAt: configuration.clock.now())
        }
    }

    /// Rows of the selection this step has left (waiting or leased): a run's progress total.
    /// - Throws: `PostgresError`.
    static func outlook(of step: Step, batches: [String], database: any RunnerDatabase) async throws
        -> WindowStateMachine.Outlook
    {
        try await outlook(
            statements: StepStatements(step.sql, oncePerRun: !step.waitsForRetries), operation: step.operation,
            batches: batches, runID: nil, database: database)
    }

    static func outlook(
        statements: StepStatements, operation: StepOperation, batches: [String], runID: Int64?,
        database: any RunnerDatabase
    ) async throws -> WindowStateMachine.Outlook {
        let row = try await database.query(
            statements.outlook, statements.outlookParameters(batches: batches, operation: operation, runID: runID))[0]
        return WindowStateMachine.Outlook(
            pending: try row.decode(Int.self, "pending"),
            due: try row.decode(Int.self, "due"),
            nextDueIn: try row.decode(Double?.self, "next_due_in"),
            inProgress: try row.decode(Int.self, "in_progress"),
            paused: try row.decode(Int.self, "paused"),
            pausedBatches: try row.decode([String].self, "paused_batches")
        )
    }

    /// Runs to the end and returns the report; never throws (problems become the stop reason).
    func run() async -> StepRunReport {
        await reclaimOrphanedRows()
        await withTaskGroup(of: Void.self) { background in
            background.addTask { await self.buffer.runFlushLoop() }
            background.addTask { await self.maintain() }
            if let progress = self.progress { background.addTask { await progress.run() } }
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

    /// Periodic lease work: renew ours, give back dead workers', keep our presence, and notice a database
    /// that stays away.
    private func maintain() async {
        let clock = configuration.clock
        let renewEvery = configuration.leaseDuration / 3
        var lastSweep = ContinuousClock.now
        var lastRenew = ContinuousClock.now
        var lastPresenceCheck = ContinuousClock.now
        while !Task.isCancelled {
            do { try await clock.sleep(.milliseconds(500)) } catch { return }
            let now = ContinuousClock.now
            configuration.metrics.runDuration(now - startInstant)
            if now - lastRenew >= renewEvery {
                lastRenew = now
                do {
                    try await leases.renewLeases()
                } catch {
                    logger.warning("Could not renew leases", metadata: [LogKey.error: "\(error)"])
                }
            }
            if let presence, now - lastPresenceCheck >= .seconds(2) {
                lastPresenceCheck = now
                await presence.checkAndRestore()
            }
            if now - lastSweep >= configuration.leaseSweepInterval {
                lastSweep = now
                await reclaimOrphanedRows()
            }
            let failures = await buffer.failureState
            // About 30 s of failed flushes (one every 100 ms): the database is gone, not hiccuping.
            if failures.consecutive >= 300 {
                stop.request(
                    .databaseUnavailable,
                    detail:
                        "The database stopped accepting results (\(failures.last.map { "\($0)" } ?? "unknown error")). "
                        + "Rows still leased become runnable again when their leases expire."
                )
            }
        }
    }

    /// Gives back rows of the selection whose worker died (or whose lease expired), for this step.
    func reclaimOrphanedRows() async {
        do {
            let result = try await leases.reclaimOrphaned()
            if result.rowsReleased > 0 {
                counters.withLock { $0.leasesReclaimed += result.rowsReleased }
                configuration.metrics.leasesReclaimed(result.rowsReleased)
                logger.warning(
                    "Reclaimed rows whose worker died mid-call; flagged as possible duplicates",
                    metadata: [
                        "rows": "\(result.rowsReleased)", "rows.failed": "\(result.rowsFailed)",
                        "operation": "\(step.operation)",
                    ]
                )
            }
        } catch is CancellationError {
        } catch {
            logger.warning("Could not reclaim orphaned leases", metadata: [LogKey.error: "\(error)"])
        }
    }

    /// Stores what is left and reports.
    private func finish() async -> StepRunReport {
        var stored = true
        do {
            try await buffer.drain()
        } catch {
            stored = false
            let waiting = await buffer.waiting
            logger.error(
                "Results could not be stored; their rows stay leased until the leases expire, then are retried as possible duplicates (the ledger shows the open attempts)",
                metadata: ["results": "\(waiting)", LogKey.error: "\(error)"]
            )
            stop.request(.databaseUnavailable)
        }
        return StepRunReport(
            stopReason: stop.reason ?? .completed,
            stopDetail: stop.detail,
            resultsStored: stored,
            counters: counters.withLock { $0 },
            writeBack: await buffer.currentStatistics,
            rateLimitWaits: await limiter.currentStatistics.waits,
            duration: ContinuousClock.now - startInstant
        )
    }
}

/// What one engine run did, for the command that ran it to report.
struct StepRunReport: Sendable {
    var stopReason: RunStopReason
    var stopDetail: String?
    /// Whether every result reached the database.
    var resultsStored: Bool
    var counters: StepCounters
    var writeBack: WriteBackStatistics
    var rateLimitWaits: Int
    var duration: Duration
}
