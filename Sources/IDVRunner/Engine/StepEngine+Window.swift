import Foundation
import IDVLogging
import Logging

extension StepEngine {
    /// What wakes the window loop.
    enum WindowEvent: Sendable {
        /// A row's turn ended.
        case finished(TurnResult)
        /// A stop was requested (or the task was cancelled).
        case stopRequested
        /// The timer armed for this instant elapsed (or a stop cut it short).
        case timer(Date)
        /// The grace period after a stop ran out: cancel what is still in flight.
        case graceExpired
        /// A claim returned these rows.
        case claimed([Claim<Step.Work>])
        /// A claim failed (the error names no secret).
        case claimFailed(any Error)
    }

    /// A row's turn: the outcome plus the request that was (or would have been) sent.
    struct TurnResult: Sendable {
        var claim: Claim<Step.Work>
        var outcome: StepOutcome<Step.Success>
        var request: Step.Request?
    }

    /// The sliding window: one task group, at most `concurrency` calls in flight; claim when enough slots
    /// are free (or nothing is in flight), a few rows ahead so a finished call's slot starts the next row at
    /// once, start one turn per claimed row (it prepares and signs its call, then waits at the ``PermitGate``
    /// until a slot is its), and handle each result as it arrives — never waves. The decisions are ``WindowStateMachine``'s; this loop only carries them out.
    /// Returns when the work is done or a stop has drained.
    func window() async {
        let clock = configuration.clock
        var machine = WindowStateMachine(
            limits: .init(
                concurrency: configuration.concurrency,
                claimThreshold: configuration.claimThreshold,
                prefetch: configuration.claimPrefetch,
                maxSuccesses: configuration.maxSessions,
                deadline: configuration.deadline,
                gracePeriod: configuration.gracePeriod,
                waitsForRetries: step.waitsForRetries
            ))
        await withTaskGroup(of: WindowEvent.self) { group in
            var timerArmedUntil: Date?
            // Batches found paused by the last outlook: not picked again until the next one.
            var pausedBatches: [String] = []
            var generator = SystemRandomNumberGenerator()
            // Every claimed row's turn starts at once and prepares its call; the machine's `start` lets
            // them through (rows claimed ahead of free slots, ``RunnerConfiguration/claimPrefetch``, wait).
            let gate = PermitGate()
            group.addTask {
                await self.stop.waitUntilStopping()
                return .stopRequested
            }
            loop: while true {
                if Task.isCancelled && !stop.isStopping {
                    stop.request(.cancelled, detail: "The run was cancelled; calls in flight were abandoned.")
                }
                if let reason = stop.reason { machine.stopRequested(reason, detail: stop.detail) }

                switch machine.next(now: clock.now()) {
                case .claim(let limit):
                    // Beside the window: calls finishing during the round trip start ready rows at once.
                    group.addTask { [claimer, pausedBatches] in
                        do {
                            return .claimed(try await claimer.claim(limit: limit, pausedBatches: pausedBatches))
                        } catch {
                            return .claimFailed(error)
                        }
                    }

                case .start(let count):
                    gate.open(count)

                case .checkIdle:
                    let outlook = await idleOutlook()
                    if let outlook { pausedBatches = outlook.pausedBatches }
                    machine.idleChecked(outlook, now: clock.now())

                case .stop(let reason, let detail):
                    stop.request(reason, detail: detail)

                case .startGrace(let grace):
                    group.addTask {
                        try? await clock.sleep(grace)
                        return .graceExpired
                    }

                case .cancelInFlight:
                    logger.warning(
                        "Grace period over: cancelling calls still in flight (recorded as possible duplicates)",
                        metadata: ["in_flight": "\(machine.inFlight)"])
                    group.cancelAll()

                case .wait(let until):
                    if let until, timerArmedUntil.map({ until < $0 }) ?? true {
                        timerArmedUntil = until
                        group.addTask {
                            _ = try? await self.stop.sleep(until: until, clock: clock)
                            return .timer(until)
                        }
                    }
                    guard let event = await group.next() else { break loop }
                    switch event {
                    case .finished(let result):
                        let succeeded = await handle(result, using: &generator)
                        machine.callFinished(succeeded: succeeded)
                    case .stopRequested:
                        break
                    case .timer(let at):
                        if timerArmedUntil == at { timerArmedUntil = nil }
                    case .graceExpired:
                        machine.graceExpired()
                    case .claimed(let claims):
                        counters.withLock { $0.claimRoundTrips += 1 }
                        let starting = machine.claimed(claims.count, now: clock.now())
                        for claim in claims {
                            if let pause = claim.pausedUntil {
                                await limiter.notePause(batch: claim.batchID, until: pause)
                            }
                            group.addTask { .finished(await self.turn(for: claim, gate: gate)) }
                        }
                        gate.open(starting)
                    case .claimFailed(is CancellationError):
                        machine.claimCancelled()
                    case .claimFailed(let error):
                        logger.error(
                            "Claim failed",
                            metadata: [LogKey.error: "\(error)", "failures": "\(machine.claimFailures + 1)"])
                        machine.claimFailed("\(error)", now: clock.now())
                    }

                case .finish:
                    break loop
                }
            }
            group.cancelAll()
        }
    }

    /// Nothing is in flight and nothing could be claimed: store what waits, give back dead workers'
    /// rows, and read what is left. `nil` when the selection could not be read (or the run is stopping).
    private func idleOutlook() async -> WindowStateMachine.Outlook? {
        // Results still in the buffer would make rows look in progress (or not yet due).
        do {
            try await buffer.drain()
        } catch {
            stop.request(.databaseUnavailable, detail: "Results could not be stored: \(error).")
            return nil
        }
        await reclaimOrphanedRows()
        do {
            return try await Self.outlook(
                statements: statements, operation: step.operation, batches: configuration.batches, runID: runID,
                database: database)
        } catch {
            if !(error is CancellationError) {
                logger.error("Could not read the selection's state", metadata: [LogKey.error: "\(error)"])
            }
            return nil
        }
    }

    /// Applies one result: decide, count, queue the write-back, and stop the run on rejected credentials.
    /// Returns whether the step succeeded for the row.
    private func handle(_ result: TurnResult, using generator: inout SystemRandomNumberGenerator) async -> Bool {
        let claim = result.claim
        let decision = policy.decide(
            result.outcome, attempts: claim.attempts, attemptNumber: claim.attemptNumber,
            successOutcome: step.successOutcome, using: &generator)
        let record = step.record(decision, of: result.outcome, for: claim, request: result.request)
        let entry = WriteBack(
            claimID: claim.id, leaseToken: claim.leaseToken, attemptID: claim.attemptID, decision: decision,
            record: record,
            at: configuration.clock.now())
        counters.withLock { counters in
            switch decision.disposition {
            case .succeeded: counters.succeeded += 1
            case .failed: counters.failed += 1
            case .retryScheduled: counters.retriesScheduled += 1
            case .released, .abortRun: counters.released += 1
            }
            if decision.errorClass == .rateLimited { counters.rateLimited += 1 }
            if decision.possibleDuplicate { counters.unknownOutcomes += 1 }
            if let errorClass = decision.errorClass, decision.disposition != .released {
                counters.errorsByClass[errorClass, default: 0] += 1
            }
            if let label = record.label { counters.byLabel[label, default: 0] += 1 }
        }
        if step.operation.isFollowThrough {
            let outcome: String
            switch decision.disposition {
            case .succeeded: outcome = step.successOutcome
            case .failed: outcome = "failed"
            case .retryScheduled: outcome = "retry"
            case .released, .abortRun: outcome = "released"
            }
            configuration.metrics.followThroughRow(operation: step.operation, outcome: outcome)
        } else {
            switch decision.disposition {
            case .succeeded: configuration.metrics.rowSucceeded(successOutcome: step.successOutcome)
            case .failed: configuration.metrics.row(.failed)
            case .retryScheduled: configuration.metrics.row(.retry)
            case .released, .abortRun: configuration.metrics.row(.released)
            }
        }
        if decision.possibleDuplicate { configuration.metrics.possibleDuplicate() }
        log(claim, decision: decision, entry: entry)
        await buffer.append(entry)
        if decision.disposition == .abortRun {
            stop.request(
                .credentialsRejected,
                detail: "Yoti rejected the credentials (\(decision.httpStatus.map { "HTTP \($0)" } ?? "401/403")). "
                    + "Check YOTI_CLIENT_SDK_ID (--sdk-id), the private key file (YOTI_KEY_FILE_PATH / --key-file) "
                    + "and the API URL (YOTI_IDV_API_URL / --api-url). No row was failed; pending rows are untouched.")
        }
        return decision.disposition == .succeeded
    }

    private func log(_ claim: Claim<Step.Work>, decision: RetryPolicy.Decision, entry: WriteBack) {
        // Most rows log at debug: build nothing for a line the logger would drop.
        let level: Logger.Level
        switch decision.disposition {
        case .succeeded: level = .debug
        case .retryScheduled, .released: level = decision.possibleDuplicate ? .warning : .debug
        case .failed: level = .warning
        case .abortRun: level = .error
        }
        guard logger.logLevel <= level else { return }
        var metadata: Logger.Metadata = [
            LogKey.batchID: "\(claim.batchID)",
            LogKey.requestID: "\(claim.id)",
            LogKey.attempt: "\(claim.attemptNumber)",
            "operation": "\(step.operation)",
        ]
        if decision.disposition == .succeeded {
            if let requestID = decision.yotiRequestID { metadata[LogKey.yotiRequestID] = "\(requestID)" }
        } else if let errorClass = decision.errorClass {
            // A failure line always carries every key ("-" when unknown), so collectors can index them.
            metadata[LogKey.errorClass] = "\(errorClass)"
            metadata[LogKey.httpStatus] = "\(decision.httpStatus.map(String.init) ?? "-")"
            metadata[LogKey.yotiCode] = "\(decision.yotiCode ?? "-")"
            metadata[LogKey.yotiRequestID] = "\(decision.yotiRequestID ?? "-")"
        }
        switch decision.disposition {
        case .succeeded:
            metadata[LogKey.sessionID] = "\(entry.ledgerSessionID ?? "-")"
            logger.debug("\(step.successMessage)", metadata: metadata)
        case .retryScheduled where decision.possibleDuplicate:
            logger.warning(
                "Outcome unknown, retry scheduled: the remote side may have acted (possible duplicate)",
                metadata: metadata)
        case .retryScheduled:
            logger.debug("Retry scheduled", metadata: metadata)
        case .released where decision.possibleDuplicate:
            logger.warning(
                "Call interrupted, row released: the remote side may have acted (possible duplicate)",
                metadata: metadata)
        case .released:
            logger.debug("Row released", metadata: metadata)
        case .failed:
            logger.warning("Row failed", metadata: metadata.merging(["reason": "\(decision.lastError ?? "-")"]) { $1 })
        case .abortRun:
            logger.error("Credentials rejected: stopping the run", metadata: metadata)
        }
    }
}
