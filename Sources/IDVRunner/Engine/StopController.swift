import Foundation
import Synchronization

/// The run's one stop switch: the first reason wins, and everything waiting on it wakes at once.
///
/// The window loop and the calls waiting for a rate-limit slot wait on it, so a signal, a rejected
/// credential or the deadline takes effect immediately instead of when the next call finishes.
final class StopController: Sendable {
    private struct State {
        var reason: RunStopReason?
        var detail: String?
        var waiters: [UInt64: CheckedContinuation<Void, Never>] = [:]
        var nextWaiter: UInt64 = 0
    }

    private let state = Mutex(State())

    /// The reason, once stopping.
    var reason: RunStopReason? { state.withLock { $0.reason } }
    /// Extra words for the summary (e.g. which credential to check).
    var detail: String? { state.withLock { $0.detail } }
    var isStopping: Bool { reason != nil }

    /// Requests a stop; later requests keep the first reason. Returns whether this one took effect.
    @discardableResult
    func request(_ reason: RunStopReason, detail: String? = nil) -> Bool {
        let waiters: [CheckedContinuation<Void, Never>]? = state.withLock { state in
            guard state.reason == nil else { return nil }
            state.reason = reason
            state.detail = detail
            defer { state.waiters.removeAll() }
            return Array(state.waiters.values)
        }
        guard let waiters else { return false }
        for waiter in waiters { waiter.resume() }
        return true
    }

    /// Returns once a stop was requested, or the task is cancelled.
    func waitUntilStopping() async {
        let id = state.withLock { state -> UInt64 in
            state.nextWaiter += 1
            return state.nextWaiter
        }
        await withTaskCancellationHandler {
            await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
                let resumeNow = state.withLock { state -> Bool in
                    if state.reason != nil || Task.isCancelled { return true }
                    state.waiters[id] = continuation
                    return false
                }
                if resumeNow { continuation.resume() }
            }
        } onCancel: {
            let waiter = state.withLock { $0.waiters.removeValue(forKey: id) }
            waiter?.resume()
        }
    }

    /// Sleeps until `date` unless a stop comes first. Returns `true` when the full sleep happened.
    /// - Throws: `CancellationError` when the task is cancelled.
    func sleep(until date: Date, clock: RunnerClock) async throws -> Bool {
        if isStopping { return false }
        return try await withThrowingTaskGroup(of: Bool.self) { group in
            group.addTask {
                try await clock.sleep(until: date)
                return true
            }
            group.addTask {
                await self.waitUntilStopping()
                return false
            }
            defer { group.cancelAll() }
            let first = try await group.next() ?? false
            try Task.checkCancellation()
            return first
        }
    }
}
