import Foundation

/// The sliding window's decisions, as a value with time injected (in the style of postgres-nio's
/// `PoolStateMachine`): the driver (``StepEngine``'s window) asks ``next(now:)`` what to do, does it,
/// and reports what happened through the mutating event methods. No I/O, no clocks, no tasks here, so
/// every path — claim sizing, back-off, the budget, the deadline, idling, the stop and its grace — is
/// tested with tables of events.
struct WindowStateMachine: Sendable {
    /// The fixed limits of one run.
    struct Limits: Sendable, Hashable {
        /// Calls in flight at most.
        var concurrency: Int
        /// Claim only when at least this many slots are free (or nothing is in flight).
        var claimThreshold: Int
        /// Rows claimed ahead of free slots, waiting to start the moment a call finishes, so a slot never
        /// waits for a claim's round trip. 0 claims only for free slots.
        var prefetch: Int = 0
        /// Stop after this many successes (the create step's session budget); `nil` for none.
        var maxSuccesses: Int?
        /// Stop claiming at this instant; `nil` for none.
        var deadline: Date?
        /// How long in-flight calls may finish after a stop before they are cancelled.
        var gracePeriod: Duration
        /// Whether the run waits for retries it scheduled (see ``RemoteStep/waitsForRetries``).
        var waitsForRetries: Bool
        /// Claims failing this many times in a row stop the run (the database is gone).
        var claimFailureLimit: Int = 6
    }

    /// What is left of the selection, read when this worker has nothing in flight and nothing was claimable.
    struct Outlook: Sendable, Hashable {
        /// Rows waiting for the step.
        var pending: Int
        /// Of those, rows due now.
        var due: Int
        /// Seconds (server clock) until the earliest waiting row is due; `nil` when none waits.
        var nextDueIn: Double?
        /// Rows other workers hold a lease on (this worker holds none when it asks).
        var inProgress: Int
        /// Rows waiting for the step in paused batches (not counted in ``pending``): never claimed until resumed.
        var paused: Int = 0
        /// The paused batches those rows belong to: the claims leave them alone until the next outlook.
        var pausedBatches: [String] = []
    }

    /// What the driver does next.
    enum Action: Sendable, Hashable {
        /// Claim up to `limit` rows, then report ``claimed(_:now:)`` or ``claimFailed(_:now:)`` (or
        /// ``claimCancelled()``); start the number of them it returns, and keep the rest ready. The claim may
        /// run beside the window: no other claim is asked for until it is reported, and calls finishing
        /// meanwhile are reported as usual.
        case claim(limit: Int)
        /// Start `count` of the rows kept ready (claimed ahead; their turns prepared the calls and wait at
        /// the window's ``PermitGate``). During a stop they start only to be given back unsent.
        case start(count: Int)
        /// Store what waits, give back dead workers' rows, read the ``Outlook`` and report ``idleChecked(_:now:)``.
        case checkIdle
        /// The machine decided to stop: tell everything that waits on the run's stop switch.
        case stop(RunStopReason, detail: String?)
        /// Start the grace period, then report ``graceExpired()``.
        case startGrace(Duration)
        /// The grace period is over: cancel the calls still in flight.
        case cancelInFlight
        /// Wait for the next event: a call finishing, a stop, or a timer at `until` (arm one when given).
        case wait(until: Date?)
        /// Nothing is in flight and the run is over.
        case finish
    }

    let limits: Limits
    private(set) var inFlight = 0
    /// Rows claimed ahead and kept ready, not started yet.
    private(set) var ready = 0
    private(set) var successes = 0
    private(set) var stopReason: RunStopReason?
    private(set) var stopDetail: String?
    private var stopAnnounced = false
    private var graceStarted = false
    private var graceOver = false
    private var cancelIssued = false
    private var claimNotBefore = Date.distantPast
    /// After a short claim, the next one waits until then — while calls are in flight. Once the last of
    /// them has finished, the claim goes out at once (it either finds rows or leads to the idle check), so
    /// the end of a run does not wait out the poll interval.
    private var pollNotBefore = Date.distantPast
    private(set) var claimFailures = 0
    /// A claim was asked for and not reported yet.
    private(set) var claiming = false
    private var needsIdleCheck = false

    init(limits: Limits) {
        self.limits = limits
    }

    /// The next thing to do at `now`.
    mutating func next(now: Date) -> Action {
        if let reason = stopReason {
            if !stopAnnounced {
                stopAnnounced = true
                return .stop(reason, detail: stopDetail)
            }
            if ready > 0 {
                // Their leases are given back by their turns, which see the stop before any call.
                return startReady(ready)
            }
            if inFlight == 0 && !claiming { return .finish }
            if graceOver {
                guard cancelIssued else {
                    cancelIssued = true
                    return .cancelInFlight
                }
                return .wait(until: nil)
            }
            if !graceStarted {
                graceStarted = true
                let grace = reason.grace(configured: limits.gracePeriod)
                guard grace > .zero else {
                    graceOver = true
                    cancelIssued = true
                    return .cancelInFlight
                }
                return .startGrace(grace)
            }
            return .wait(until: nil)
        }
        if let deadline = limits.deadline, now >= deadline {
            return stopNow(
                .deadlineReached,
                detail: "The deadline (\(deadline.formatted(.iso8601))) passed; calls in flight were allowed to finish."
            )
        }
        if let budget = limits.maxSuccesses, successes >= budget {
            return stopNow(
                .budgetReached, detail: "The budget of \(budget) was reached: \(successes) succeeded in this run.")
        }
        if ready > 0 && inFlight < limits.concurrency {
            return startReady(min(ready, limits.concurrency - inFlight))
        }
        var free = limits.concurrency + limits.prefetch - inFlight - ready
        if let budget = limits.maxSuccesses {
            free = min(free, budget - successes - inFlight - ready)
        }
        if needsIdleCheck { return .checkIdle }
        let wantsClaim = free > 0 && (free >= limits.claimThreshold || inFlight + ready == 0)
        if wantsClaim && !claiming {
            let notBefore = inFlight + ready > 0 ? max(claimNotBefore, pollNotBefore) : claimNotBefore
            if now >= notBefore {
                claiming = true
                return .claim(limit: free)
            }
            return .wait(until: earliest(notBefore, limits.deadline))
        }
        return .wait(until: limits.deadline)
    }

    // MARK: - Events

    /// A claim returned `count` rows. Returns how many of them start now (as many as there are free slots);
    /// the rest are kept ready and started by later ``Action/start(count:)`` actions.
    @discardableResult
    mutating func claimed(_ count: Int, now: Date) -> Int {
        claiming = false
        claimFailures = 0
        let starting = min(count, max(0, limits.concurrency - inFlight))
        inFlight += starting
        ready += count - starting
        guard count == 0 else { return starting }
        if inFlight == 0 && ready == 0 {
            needsIdleCheck = true
        } else {
            // Nothing is due right now: poll again shortly rather than on every result.
            // (A short claim is normal when other workers hold rows for a moment.)
            pollNotBefore = now.addingTimeInterval(0.5)
        }
        return 0
    }

    /// A claim failed with `error` (a description without secrets).
    mutating func claimFailed(_ error: String, now: Date) {
        claiming = false
        claimFailures += 1
        if claimFailures >= limits.claimFailureLimit {
            stop(
                .databaseUnavailable,
                detail: "Claiming rows failed \(claimFailures) times in a row (\(error)). "
                    + "Check that PostgreSQL is reachable, then run again.")
            return
        }
        claimNotBefore = now.addingTimeInterval(0.25 * Double(1 << claimFailures))
    }

    /// A claim was cancelled before it returned (the run is being cancelled): nothing was claimed.
    mutating func claimCancelled() {
        claiming = false
    }

    /// A call's result was handled.
    mutating func callFinished(succeeded: Bool) {
        inFlight -= 1
        if succeeded { successes += 1 }
    }

    /// The idle check's reading (`nil` when it could not be read).
    mutating func idleChecked(_ outlook: Outlook?, now: Date) {
        needsIdleCheck = false
        guard let outlook else {
            claimNotBefore = now.addingTimeInterval(1)
            return
        }
        if outlook.due > 0 {
            // Due rows exist but another worker held them for a moment: try again soon.
            claimNotBefore = now.addingTimeInterval(0.2)
            return
        }
        if outlook.inProgress > 0 {
            // Live workers hold rows of the selection (dead workers' rows were just given back): the run is
            // not complete until they are written back, or given back when their worker dies.
            claimNotBefore = now.addingTimeInterval(1)
            return
        }
        guard outlook.pending > 0, let nextDueIn = outlook.nextDueIn, limits.waitsForRetries else {
            if outlook.paused > 0 {
                // Not done: the rest is held by an operator. A distinct stop, so cron does not read it as "all done".
                stop(
                    .paused,
                    detail: "\(outlook.paused) rows wait in a paused batch (see `idv-batch status`); "
                        + "`idv-batch resume <batch>` releases them, then run again.")
                return
            }
            stop(.completed, detail: nil)
            return
        }
        if let deadline = limits.deadline, now.addingTimeInterval(nextDueIn) >= deadline {
            stop(
                .deadlineReached,
                detail: "\(outlook.pending) rows wait for retries scheduled after the deadline "
                    + "(\(deadline.formatted(.iso8601))); run again later to finish them.")
            return
        }
        // Wake for the next retry; poll at least every 2 s for rows enqueued or reclaimed meanwhile.
        claimNotBefore = now.addingTimeInterval(min(max(nextDueIn, 0.05), 2))
    }

    /// A stop decided outside the machine (a signal, rejected credentials, the database, cancellation).
    /// The first reason wins; it needs no announcing.
    mutating func stopRequested(_ reason: RunStopReason, detail: String? = nil) {
        guard stopReason == nil else { return }
        stopReason = reason
        stopDetail = detail
        stopAnnounced = true
    }

    /// The grace period ran out.
    mutating func graceExpired() {
        graceOver = true
    }

    // MARK: - Helpers

    private mutating func stop(_ reason: RunStopReason, detail: String?) {
        guard stopReason == nil else { return }
        stopReason = reason
        stopDetail = detail
    }

    private mutating func startReady(_ count: Int) -> Action {
        ready -= count
        inFlight += count
        return .start(count: count)
    }

    private mutating func stopNow(_ reason: RunStopReason, detail: String?) -> Action {
        stop(reason, detail: detail)
        return next(now: .distantPast)
    }

    private func earliest(_ date: Date, _ other: Date?) -> Date {
        guard let other else { return date }
        return min(date, other)
    }
}
