import Foundation
import IDVLogging
import Logging

extension RunExecution {
    /// What wakes the window loop.
    enum WindowEvent: Sendable {
        /// A row's turn ended.
        case finished(RowResult)
        /// A stop was requested (or the task was cancelled).
        case stopRequested
        /// An idle wait elapsed.
        case timer
        /// The deadline timer elapsed (or a stop cut it short).
        case deadline
        /// The grace period after a stop ran out: cancel what is still in flight.
        case graceExpired
    }

    /// A row's turn: the outcome plus what the write-back needs to know about the body that was sent.
    struct RowResult: Sendable {
        var row: ClaimedRow
        var outcome: CallOutcome
        var userTrackingID: String?
        var resourcesTTL: Int?
    }

    /// The sliding window: one task group, at most `concurrency` calls in flight; claim when enough
    /// slots are free (or nothing is in flight), start one call per claimed row, and handle each result
    /// as it arrives — never waves. Returns when the work is done or a stop has drained.
    func window() async {
        let clock = configuration.clock
        let concurrency = configuration.concurrency
        await withTaskGroup(of: WindowEvent.self) { group in
            var inFlight = 0
            var stopWatchArmed = false
            var timerArmed = false
            var graceArmed = false
            var deadlineArmed = false
            var claimNotBefore = Date.distantPast
            var claimFailures = 0
            var generator = SystemRandomNumberGenerator()

            while true {
                let cancelled = Task.isCancelled
                if cancelled && !stop.isStopping {
                    stop.request(.cancelled, detail: "The run was cancelled; calls in flight were abandoned.")
                }
                if !stopWatchArmed && !cancelled && !stop.isStopping {
                    stopWatchArmed = true
                    group.addTask {
                        await self.stop.waitUntilStopping()
                        return .stopRequested
                    }
                }
                if !deadlineArmed, let deadline = configuration.deadline, !cancelled {
                    deadlineArmed = true
                    group.addTask {
                        _ = try? await self.stop.sleep(until: deadline, clock: clock)
                        return .deadline
                    }
                }

                if let reason = stop.reason {
                    if inFlight == 0 { break }
                    if !graceArmed && !cancelled {
                        graceArmed = true
                        let grace = reason.grace(configured: configuration.gracePeriod)
                        group.addTask {
                            try? await clock.sleep(grace)
                            return .graceExpired
                        }
                    }
                } else if let deadline = configuration.deadline, clock.now() >= deadline {
                    stop.request(
                        .deadlineReached,
                        detail: "--deadline \(deadline.formatted(.iso8601)) passed; calls in flight were allowed to finish.")
                    continue
                } else {
                    var free = concurrency - inFlight
                    if let maxSessions = configuration.maxSessions {
                        let created = counters.withLock { $0.created }
                        if created >= maxSessions {
                            stop.request(
                                .budgetReached,
                                detail: "--max-sessions \(maxSessions) reached: \(created) sessions created by this run.")
                            continue
                        }
                        free = min(free, maxSessions - created - inFlight)
                    }
                    let wantsClaim = free > 0 && (free >= configuration.claimThreshold || inFlight == 0)
                    if wantsClaim && clock.now() >= claimNotBefore {
                        var claimed: [ClaimedRow] = []
                        do {
                            claimed = try await claimer.claim(limit: free)
                            claimFailures = 0
                            counters.withLock {
                                $0.claimRoundTrips += 1
                                $0.rowsClaimed += claimed.count
                            }
                        } catch is CancellationError {
                            continue
                        } catch {
                            claimFailures += 1
                            logger.error(
                                "Claim failed", metadata: [LogKey.error: "\(error)", "failures": "\(claimFailures)"])
                            if claimFailures >= 6 {
                                stop.request(
                                    .databaseUnavailable,
                                    detail: "Claiming rows failed \(claimFailures) times in a row (\(error)). "
                                        + "Check that PostgreSQL is reachable, then run again.")
                                continue
                            }
                            claimNotBefore = clock.now().addingTimeInterval(0.25 * Double(1 << claimFailures))
                        }
                        for row in claimed {
                            if let pause = row.pausedUntil { await limiter.notePause(batch: row.batchID, until: pause) }
                            inFlight += 1
                            group.addTask { .finished(await self.turn(for: row)) }
                        }
                        if claimed.isEmpty && inFlight > 0 {
                            // Nothing is due right now: poll again shortly rather than on every result.
                            // (A short claim is normal when other workers hold rows for a moment.)
                            claimNotBefore = max(claimNotBefore, clock.now().addingTimeInterval(0.5))
                        }
                        if claimed.isEmpty && inFlight == 0 && claimFailures == 0 {
                            guard let wait = await idleWait() else { continue }
                            if !timerArmed {
                                timerArmed = true
                                claimNotBefore = .distantPast
                                group.addTask {
                                    _ = try? await self.stop.sleep(until: clock.now().addingTimeInterval(wait), clock: clock)
                                    return .timer
                                }
                            }
                        }
                    }
                    if inFlight == 0 && !timerArmed && !stop.isStopping && claimNotBefore > clock.now() {
                        // Waiting out a claim back-off with nothing in flight: something must wake the loop.
                        timerArmed = true
                        let until = claimNotBefore
                        group.addTask {
                            _ = try? await self.stop.sleep(until: until, clock: clock)
                            return .timer
                        }
                    }
                }

                guard let event = await group.next() else { break }
                switch event {
                case .finished(let result):
                    inFlight -= 1
                    await handle(result, using: &generator)
                case .stopRequested:
                    stopWatchArmed = false
                case .timer:
                    timerArmed = false
                case .deadline:
                    break
                case .graceExpired:
                    if inFlight > 0 {
                        logger.warning(
                            "Grace period over: cancelling calls still in flight (recorded as possible duplicates)",
                            metadata: ["in_flight": "\(inFlight)"])
                        group.cancelAll()
                    }
                }
            }
            group.cancelAll()
        }
    }

    /// Decides what to do when nothing is in flight and nothing could be claimed.
    /// Returns how long to wait before claiming again, or `nil` after deciding to stop.
    private func idleWait() async -> TimeInterval? {
        // Results still in the buffer would make rows look in progress (or not yet pending).
        do {
            try await buffer.drain()
        } catch {
            stop.request(.databaseUnavailable, detail: "Results could not be stored: \(error).")
            return nil
        }
        await reclaimExpiredLeases()
        let outlook: SelectionState.Outlook
        do {
            outlook = try await selection.outlook()
        } catch is CancellationError {
            return nil
        } catch {
            logger.error("Could not read the selection's state", metadata: [LogKey.error: "\(error)"])
            return 1
        }
        if outlook.due > 0 {
            // Due rows exist but another worker held them for a moment: try again soon.
            return 0.2
        }
        guard outlook.pending > 0, let nextDueIn = outlook.nextDueIn else {
            // Nothing pending; rows in progress under other workers' live leases are theirs.
            stop.request(.completed)
            return nil
        }
        if let deadline = configuration.deadline,
            configuration.clock.now().addingTimeInterval(nextDueIn) >= deadline
        {
            stop.request(
                .deadlineReached,
                detail: "\(outlook.pending) rows wait for retries scheduled after --deadline "
                    + "\(deadline.formatted(.iso8601)); run again later to finish them.")
            return nil
        }
        // Wake for the next retry; poll at least every 2 s for rows enqueued or reclaimed meanwhile.
        return min(max(nextDueIn, 0.05), 2)
    }

    /// Applies one result: plan the write-back, count it, queue it, and stop the run on rejected credentials.
    private func handle(_ result: RowResult, using generator: inout SystemRandomNumberGenerator) async {
        let decision = planner.plan(
            row: result.row,
            outcome: result.outcome,
            resourcesTTL: result.resourcesTTL,
            userTrackingID: result.userTrackingID,
            now: configuration.clock.now(),
            using: &generator
        )
        let entry = decision.entry
        counters.withLock { counters in
            switch decision.disposition {
            case .created: counters.created += 1
            case .failed: counters.failed += 1
            case .retryScheduled: counters.retriesScheduled += 1
            case .released, .abortRun: counters.released += 1
            }
            if case .rateLimited = result.outcome { counters.rateLimited += 1 }
            if entry.possibleDuplicate { counters.unknownOutcomes += 1 }
            if let errorClass = entry.errorClass, decision.disposition != .released {
                counters.errorsByClass[errorClass, default: 0] += 1
            }
        }
        switch decision.disposition {
        case .created: configuration.metrics.row(.created)
        case .failed: configuration.metrics.row(.failed)
        case .retryScheduled: configuration.metrics.row(.retry)
        case .released, .abortRun: configuration.metrics.row(.released)
        }
        if entry.possibleDuplicate { configuration.metrics.possibleDuplicate() }
        log(result, entry: entry, disposition: decision.disposition)
        await buffer.append(entry)
        if decision.disposition == .abortRun {
            stop.request(
                .credentialsRejected,
                detail: "Yoti rejected the credentials (\(entry.lastHTTPStatus.map { "HTTP \($0)" } ?? "401/403")). "
                    + "Check YOTI_CLIENT_SDK_ID (--sdk-id), the private key file (YOTI_KEY_FILE_PATH / --key-file) "
                    + "and the API URL (YOTI_IDV_API_URL / --api-url). No row was failed; pending rows are untouched.")
        }
    }

    private func log(_ result: RowResult, entry: WriteBack, disposition: WriteBackPlanner.Disposition) {
        var metadata: Logger.Metadata = [
            LogKey.batchID: "\(result.row.batchID)",
            LogKey.requestID: "\(result.row.id)",
            LogKey.attempt: "\(result.row.attemptNumber)",
        ]
        if disposition == .created {
            if let requestID = entry.yotiRequestID { metadata[LogKey.yotiRequestID] = "\(requestID)" }
        } else if entry.errorClass != nil {
            // A failure line always carries every key ("-" when unknown), so collectors can index them.
            metadata[LogKey.errorClass] = "\(entry.errorClass ?? "-")"
            metadata[LogKey.httpStatus] = "\(entry.lastHTTPStatus.map(String.init) ?? "-")"
            metadata[LogKey.yotiCode] = "\(entry.yotiCode ?? "-")"
            metadata[LogKey.yotiRequestID] = "\(entry.yotiRequestID ?? "-")"
        }
        switch disposition {
        case .created:
            metadata[LogKey.sessionID] = "\(entry.sessionID ?? "-")"
            logger.debug("Session created", metadata: metadata)
        case .retryScheduled where entry.possibleDuplicate:
            logger.warning("Outcome unknown, retry scheduled: a session may exist at Yoti (possible duplicate)", metadata: metadata)
        case .retryScheduled:
            logger.debug("Retry scheduled", metadata: metadata)
        case .released where entry.possibleDuplicate:
            logger.warning("Call interrupted, row released: a session may exist at Yoti (possible duplicate)", metadata: metadata)
        case .released:
            logger.debug("Row released", metadata: metadata)
        case .failed:
            logger.warning("Row failed", metadata: metadata.merging(["reason": "\(entry.lastError ?? "-")"]) { $1 })
        case .abortRun:
            logger.error("Credentials rejected: stopping the run", metadata: metadata)
        }
    }
}
