import Foundation
import Testing

@testable import IDVRunner

/// A paused batch: the idle check's outlook counts its waiting rows apart; a run with nothing else left ends
/// as paused (exit 5), never as completed.
@Suite("Window state machine: paused batches")
struct WindowStateMachinePauseTests {
    typealias Outlook = WindowStateMachine.Outlook

    /// What the machine should do after the idle check.
    enum Expected: Sendable, CustomStringConvertible {
        case stopPaused
        case stopCompleted
        case waitUntil(Double)

        var description: String {
            switch self {
            case .stopPaused: return "stop paused"
            case .stopCompleted: return "stop completed"
            case .waitUntil(let t): return "wait until \(t)"
            }
        }
    }

    @Test(
        "the outlook decides: paused rows alone end the run as paused; own retries and other workers' rows first",
        arguments: [
            // (outlook, waits for retries, expected after the check at t = 10)
            (Outlook(pending: 0, due: 0, nextDueIn: nil, inProgress: 0, paused: 5), true, Expected.stopPaused),
            // in flight elsewhere
            (Outlook(pending: 0, due: 0, nextDueIn: nil, inProgress: 2, paused: 5), true, .waitUntil(11)),
            // own retry first
            (Outlook(pending: 2, due: 0, nextDueIn: 0.7, inProgress: 0, paused: 5), true, .waitUntil(10.7)),
            // due rows of another batch
            (Outlook(pending: 1, due: 1, nextDueIn: 0, inProgress: 0, paused: 5), true, .waitUntil(10.2)),
            (Outlook(pending: 3, due: 0, nextDueIn: 0.1, inProgress: 0, paused: 2), false, .stopPaused),  // a sweep
            (Outlook(pending: 0, due: 0, nextDueIn: nil, inProgress: 0, paused: 0), true, .stopCompleted),
            (Outlook(pending: 0, due: 0, nextDueIn: nil, inProgress: 0), true, .stopCompleted),  // default: none paused
        ])
    func outlooks(outlook: Outlook, waitsForRetries: Bool, expected: Expected) {
        var machine = WindowStateMachineTests.machine(waitsForRetries: waitsForRetries)
        let t = WindowStateMachineTests.at(10)
        #expect(machine.next(now: t) == .claim(limit: 8))
        machine.claimed(0, now: t)
        #expect(machine.next(now: t) == .checkIdle)
        machine.idleChecked(outlook, now: t)
        let action = machine.next(now: t)
        switch (expected, action) {
        case (.stopPaused, .stop(let reason, let detail)):
            #expect(reason == .paused)
            #expect(detail?.contains("\(outlook.paused) rows wait in a paused batch") == true)
            #expect(detail?.contains("idv-batch resume") == true)
            #expect(machine.next(now: t) == .finish)
        case (.stopCompleted, .stop(let reason, _)):
            #expect(reason == .completed)
        case (.waitUntil(let seconds), .wait(let until)):
            #expect(until == WindowStateMachineTests.at(seconds))
        default:
            Issue.record("expected \(expected), got \(action)")
        }
    }

    @Test("a paused stop exits 5 whatever is left, and says so")
    func exitCode() {
        #expect(RunStopReason.paused.exitCode(workLeft: 10, failedRows: 0) == 5)
        #expect(RunStopReason.paused.exitCode(workLeft: 0, failedRows: 3) == 5)
        #expect(RunStopReason.paused.description == "batch paused")
        #expect(RunStopReason.paused != .completed)
    }

    @Test("calls in flight when the pause is seen finish before the run ends as paused")
    func inFlightFinishFirst() {
        var machine = WindowStateMachineTests.machine(concurrency: 4, threshold: 1)
        let t = WindowStateMachineTests.at(0)
        #expect(machine.next(now: t) == .claim(limit: 4))
        machine.claimed(3, now: t)  // three calls started before the pause
        #expect(machine.next(now: t) == .claim(limit: 1))
        machine.claimed(0, now: t)  // the pause is visible: nothing more is claimed
        #expect(machine.next(now: t) == .wait(until: WindowStateMachineTests.at(0.5)))
        for _ in 0..<3 { machine.callFinished(succeeded: true) }
        let later = WindowStateMachineTests.at(0.5)
        #expect(machine.next(now: later) == .claim(limit: 4))
        machine.claimed(0, now: later)
        #expect(machine.next(now: later) == .checkIdle)
        machine.idleChecked(Outlook(pending: 0, due: 0, nextDueIn: nil, inProgress: 0, paused: 7), now: later)
        guard case .stop(.paused, _) = machine.next(now: later) else {
            Issue.record("expected a paused stop")
            return
        }
        #expect(machine.successes == 3)
        #expect(machine.next(now: later) == .finish)
    }
}
