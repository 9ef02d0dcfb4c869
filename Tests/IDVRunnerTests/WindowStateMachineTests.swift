import Foundation
import Testing

@testable import IDVRunner

/// The window's decisions, driven by tables of events with time injected (no tasks, no sleeps).
@Suite("Window state machine")
struct WindowStateMachineTests {
    static let t0 = Date(timeIntervalSince1970: 1_000_000)

    static func machine(
        concurrency: Int = 8, threshold: Int = 2, prefetch: Int = 0, budget: Int? = nil, deadline: Date? = nil,
        grace: Duration = .seconds(30), waitsForRetries: Bool = true
    ) -> WindowStateMachine {
        WindowStateMachine(
            limits: .init(
                concurrency: concurrency, claimThreshold: threshold, prefetch: prefetch, maxSuccesses: budget,
                deadline: deadline, gracePeriod: grace, waitsForRetries: waitsForRetries))
    }

    static func at(_ seconds: Double) -> Date { t0.addingTimeInterval(seconds) }

    /// One step of a table: an event to feed (or none), then the action expected at `time`.
    enum Event {
        case none
        case claimed(Int)
        case claimFailed
        case finished(succeeded: Bool)
        case idle(WindowStateMachine.Outlook?)
        case stopRequested(RunStopReason)
        case graceExpired
    }

    static func play(_ machine: inout WindowStateMachine, _ table: [(Double, Event, WindowStateMachine.Action)]) {
        for (index, (time, event, expected)) in table.enumerated() {
            let now = at(time)
            switch event {
            case .none: break
            case .claimed(let count): machine.claimed(count, now: now)
            case .claimFailed: machine.claimFailed("connection refused", now: now)
            case .finished(let succeeded): machine.callFinished(succeeded: succeeded)
            case .idle(let outlook): machine.idleChecked(outlook, now: now)
            case .stopRequested(let reason): machine.stopRequested(reason)
            case .graceExpired: machine.graceExpired()
            }
            let action = machine.next(now: now)
            #expect(action == expected, "step \(index) at t=\(time): got \(action)")
        }
    }

    @Test("a sliding window: claims what is free, waits below the threshold, claims again as slots free")
    func slidingWindow() {
        var machine = Self.machine(concurrency: 8, threshold: 2)
        Self.play(
            &machine,
            [
                (0, .none, .claim(limit: 8)),
                (0, .claimed(8), .wait(until: nil)),
                (1, .finished(succeeded: true), .wait(until: nil)),  // 1 free < threshold 2
                (1, .finished(succeeded: true), .claim(limit: 2)),  // 2 free: claim them
                (1, .claimed(2), .wait(until: nil)),
            ])
        #expect(machine.inFlight == 8 && machine.successes == 2)
    }

    @Test("claiming ahead: rows wait ready, a finished call starts one at once, the next claim leaves slots full")
    func prefetch() {
        var machine = Self.machine(concurrency: 8, threshold: 2, prefetch: 4)
        #expect(machine.next(now: Self.t0) == .claim(limit: 12))
        #expect(machine.claimed(12, now: Self.t0) == 8)  // 8 start, 4 wait ready
        #expect(machine.inFlight == 8 && machine.ready == 4)
        Self.play(
            &machine,
            [
                (0, .none, .wait(until: nil)),  // full and nothing to claim: 12 - 8 - 4 = 0 free
                (1, .finished(succeeded: true), .start(count: 1)),  // a ready row takes the slot at once
                (1, .none, .wait(until: nil)),  // 1 claimable < threshold 2
                (1, .finished(succeeded: true), .start(count: 1)),
                (1, .none, .claim(limit: 2)),  // 2 ready left: claim 2 while the window stays full
            ])
        #expect(machine.claimed(2, now: Self.at(1)) == 0)
        #expect(machine.inFlight == 8 && machine.ready == 4)
    }

    @Test("a claim runs beside the window: no second claim until it returns; ready rows start meanwhile")
    func claimInFlight() {
        var machine = Self.machine(concurrency: 8, threshold: 2, prefetch: 4)
        #expect(machine.next(now: Self.t0) == .claim(limit: 12))
        machine.claimed(12, now: Self.t0)
        Self.play(
            &machine,
            [
                (1, .finished(succeeded: true), .start(count: 1)),
                (1, .finished(succeeded: true), .start(count: 1)),
                (1, .none, .claim(limit: 2)),  // 2 ready left
                (1, .none, .wait(until: nil)),  // that claim has not returned: no second one
                (1, .finished(succeeded: true), .start(count: 1)),  // results still start ready rows
                (1, .finished(succeeded: true), .start(count: 1)),
                (1, .none, .wait(until: nil)),  // 4 free now, but the claim is still out
                (1, .claimed(2), .claim(limit: 2)),  // its 2 rows wait ready (8 in flight); 2 more are claimed
            ])
        #expect(machine.inFlight == 8 && machine.ready == 2)
        // A stop while a claim is out finishes only after the claim is reported (its rows are given back).
        Self.play(
            &machine,
            [
                (2, .stopRequested(.interrupted), .start(count: 2)),
                (2, .none, .startGrace(.seconds(30))),
            ])
        for _ in 0..<10 { machine.callFinished(succeeded: true) }
        #expect(machine.next(now: Self.at(3)) == .wait(until: nil))
        machine.claimCancelled()
        #expect(machine.next(now: Self.at(3)) == .finish)
    }

    @Test("a stop starts every ready row (their turns give them back unsent), then drains as before")
    func prefetchStop() {
        var machine = Self.machine(concurrency: 4, threshold: 1, prefetch: 2, budget: nil)
        #expect(machine.next(now: Self.t0) == .claim(limit: 6))
        machine.claimed(6, now: Self.t0)
        Self.play(
            &machine,
            [
                (1, .stopRequested(.interrupted), .start(count: 2)),
                (1, .none, .startGrace(.seconds(30))),
            ])
        #expect(machine.inFlight == 6 && machine.ready == 0)
        for _ in 0..<6 { machine.callFinished(succeeded: false) }
        #expect(machine.next(now: Self.at(2)) == .finish)
    }

    @Test("claiming ahead never takes more rows than the budget has left")
    func prefetchBudget() {
        var machine = Self.machine(concurrency: 4, threshold: 1, prefetch: 2, budget: 5)
        Self.play(
            &machine,
            [
                (0, .none, .claim(limit: 5)),  // not 6: the budget has 5 left
                (0, .claimed(5), .wait(until: nil)),  // 4 started, 1 ready
                (1, .finished(succeeded: true), .start(count: 1)),
                (1, .none, .wait(until: nil)),  // 4 in flight + 1 success = the budget: nothing more to claim
                (2, .finished(succeeded: false), .claim(limit: 1)),  // a failure frees one
            ])
    }

    @Test("a short claim with calls in flight polls again after 0.5 s, not on every result")
    func shortClaimBacksOff() {
        var machine = Self.machine(concurrency: 4, threshold: 1)
        Self.play(
            &machine,
            [
                (0, .none, .claim(limit: 4)),
                (0, .claimed(2), .claim(limit: 2)),  // 2 slots still free: claim again at once
                (0, .claimed(0), .wait(until: Self.at(0.5))),
                (0.2, .finished(succeeded: true), .wait(until: Self.at(0.5))),
                (0.5, .none, .claim(limit: 3)),
            ])
    }

    @Test("the end of a run: once the last call finishes, the claim goes out at once, not after the poll interval")
    func lastCallEndsThePoll() {
        var machine = Self.machine(concurrency: 4, threshold: 1)
        Self.play(
            &machine,
            [
                (0, .none, .claim(limit: 4)),
                (0, .claimed(2), .claim(limit: 2)),
                (0, .claimed(0), .wait(until: Self.at(0.5))),  // calls in flight: poll in 0.5 s
                (0.1, .finished(succeeded: true), .wait(until: Self.at(0.5))),
                (0.1, .finished(succeeded: true), .claim(limit: 4)),  // the last one finished: claim now
                (0.1, .claimed(0), .checkIdle),
            ])
    }

    @Test(
        "nothing claimable and nothing in flight: an idle check; the outlook decides wait, poll or complete",
        arguments: [
            // (outlook, action after it at t = 10)
            (
                WindowStateMachine.Outlook(pending: 3, due: 1, nextDueIn: 0, inProgress: 0),
                WindowStateMachine.Action.wait(until: at(10.2))
            ),
            // live workers' rows: wait
            (.init(pending: 0, due: 0, nextDueIn: nil, inProgress: 4), .wait(until: at(11))),
            (.init(pending: 2, due: 0, nextDueIn: 0.7, inProgress: 0), .wait(until: at(10.7))),  // the next retry
            (.init(pending: 2, due: 0, nextDueIn: 30, inProgress: 0), .wait(until: at(12))),  // poll every 2 s at most
            (.init(pending: 0, due: 0, nextDueIn: nil, inProgress: 0), .stop(.completed, detail: nil)),
        ])
    func idle(outlook: WindowStateMachine.Outlook, expected: WindowStateMachine.Action) {
        var machine = Self.machine()
        Self.play(
            &machine,
            [
                (10, .none, .claim(limit: 8)),
                (10, .claimed(0), .checkIdle),
                (10, .idle(outlook), expected),
            ])
    }

    @Test("a step that leaves retries to the next run completes when nothing is due")
    func noWaitingForRetries() {
        var machine = Self.machine(waitsForRetries: false)
        Self.play(
            &machine,
            [
                (0, .none, .claim(limit: 8)),
                (0, .claimed(0), .checkIdle),
                (0, .idle(.init(pending: 5, due: 0, nextDueIn: 0.1, inProgress: 0)), .stop(.completed, detail: nil)),
                (0, .none, .finish),
            ])
    }

    @Test("an unreadable outlook retries the check after a second")
    func unreadableOutlook() {
        var machine = Self.machine()
        Self.play(
            &machine,
            [
                (0, .none, .claim(limit: 8)),
                (0, .claimed(0), .checkIdle),
                (0, .idle(nil), .wait(until: Self.at(1))),
                (1, .none, .claim(limit: 8)),
            ])
    }

    @Test("retries due after the deadline stop the run as deadline reached")
    func retriesAfterDeadline() {
        var machine = Self.machine(deadline: Self.at(5))
        Self.play(
            &machine,
            [
                (0, .none, .claim(limit: 8)),
                (0, .claimed(0), .checkIdle),
            ])
        machine.idleChecked(.init(pending: 1, due: 0, nextDueIn: 10, inProgress: 0), now: Self.at(0))
        guard case .stop(.deadlineReached, let detail?) = machine.next(now: Self.at(0)) else {
            Issue.record("expected a deadline stop")
            return
        }
        #expect(detail.contains("1 rows wait for retries"))
        #expect(machine.next(now: Self.at(0)) == .finish)
    }

    @Test("the deadline: waits wake for it, and passing it stops claiming; in-flight calls get the grace period")
    func deadline() {
        var machine = Self.machine(concurrency: 2, threshold: 2, deadline: Self.at(5), grace: .seconds(3))
        Self.play(
            &machine,
            [
                (0, .none, .claim(limit: 2)),
                (0, .claimed(2), .wait(until: Self.at(5))),
            ])
        guard case .stop(.deadlineReached, _) = machine.next(now: Self.at(5)) else {
            Issue.record("expected a deadline stop at t=5")
            return
        }
        Self.play(
            &machine,
            [
                (5, .none, .startGrace(.seconds(3))),
                (6, .finished(succeeded: true), .wait(until: nil)),
                (8, .graceExpired, .cancelInFlight),
                (8, .none, .wait(until: nil)),
                (8, .finished(succeeded: false), .finish),
            ])
    }

    @Test("the budget: never more calls than successes left, then a budget stop")
    func budget() {
        var machine = Self.machine(concurrency: 8, threshold: 1, budget: 3)
        Self.play(
            &machine,
            [
                (0, .none, .claim(limit: 3)),
                (0, .claimed(3), .wait(until: nil)),
                (1, .finished(succeeded: false), .claim(limit: 1)),  // a failure frees budget
                (1, .claimed(1), .wait(until: nil)),
                (1, .finished(succeeded: true), .wait(until: nil)),
                (1, .finished(succeeded: true), .wait(until: nil)),
                (
                    1, .finished(succeeded: true),
                    .stop(.budgetReached, detail: "The budget of 3 was reached: 3 succeeded in this run.")
                ),
                (1, .none, .finish),
            ])
    }

    @Test("claim failures back off exponentially, and six in a row stop the run as database unavailable")
    func claimFailures() {
        var machine = Self.machine()
        Self.play(
            &machine,
            [
                (0, .none, .claim(limit: 8)),
                (0, .claimFailed, .wait(until: Self.at(0.5))),
                (0.5, .none, .claim(limit: 8)),
                (0.5, .claimFailed, .wait(until: Self.at(1.5))),
                (1.5, .none, .claim(limit: 8)),
                (1.5, .claimed(1), .claim(limit: 7)),  // a success resets the count
            ])
        #expect(machine.claimFailures == 0)
        for attempt in 1...6 {
            machine.claimFailed("refused", now: Self.at(2))
            if attempt < 6 { #expect(machine.stopReason == nil) }
        }
        guard case .stop(.databaseUnavailable, let detail?) = machine.next(now: Self.at(2)) else {
            Issue.record("expected a database stop")
            return
        }
        #expect(detail.contains("6 times in a row"))
    }

    @Test(
        "an outside stop needs no announcing; cancellation has no grace",
        arguments: [
            (RunStopReason.interrupted, WindowStateMachine.Action.startGrace(.seconds(30))),
            (.credentialsRejected, .startGrace(.seconds(5))),
            (.cancelled, .cancelInFlight),
        ])
    func outsideStop(reason: RunStopReason, expected: WindowStateMachine.Action) {
        var machine = Self.machine()
        Self.play(
            &machine,
            [
                (0, .none, .claim(limit: 8)),
                (0, .claimed(8), .wait(until: nil)),
                (1, .stopRequested(reason), expected),
            ])
        for _ in 0..<8 { machine.callFinished(succeeded: true) }
        #expect(machine.next(now: Self.at(2)) == .finish)
    }

    @Test("a stop with nothing in flight finishes at once")
    func stopWhenIdle() {
        var machine = Self.machine()
        machine.stopRequested(.interrupted)
        #expect(machine.next(now: Self.t0) == .finish)
    }
}
