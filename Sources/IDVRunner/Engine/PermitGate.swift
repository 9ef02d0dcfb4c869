import Synchronization

/// Permits handed out first come first served: ``enter()`` waits for one, ``open(_:)`` gives some.
///
/// The window's slots are one use: a claimed row's turn prepares (and arms) its request, then waits here
/// until the window starts it. With one permit it is a lock that keeps order: the write-back buffer's
/// flushes run one at a time through it.
///
/// The wait is not cancellable on purpose: the window starts every claimed row exactly once — during a
/// stop too, where the turn then gives the row back unsent — so every waiting turn is let through, and
/// the window's count of rows in flight stays exact; a flush waiting its turn still stores its results.
final class PermitGate: Sendable {
    private struct State {
        var permits: Int
        var waiters: [CheckedContinuation<Void, Never>] = []
    }

    private let state: Mutex<State>

    /// A gate holding `permits` permits at first (none: every `enter` waits for an `open`).
    init(permits: Int = 0) {
        state = Mutex(State(permits: permits))
    }

    /// Waits for a permit.
    func enter() async {
        let admitted = state.withLock { state in
            guard state.permits > 0 else { return false }
            state.permits -= 1
            return true
        }
        if admitted { return }
        await withCheckedContinuation { continuation in
            let admittedNow = state.withLock { state in
                guard state.permits > 0 else {
                    state.waiters.append(continuation)
                    return false
                }
                state.permits -= 1
                return true
            }
            if admittedNow { continuation.resume() }
        }
    }

    /// Lets `count` turns through: the longest-waiting first; permits no turn waits for yet are kept.
    func open(_ count: Int) {
        guard count > 0 else { return }
        let released = state.withLock { state in
            let taken = min(count, state.waiters.count)
            let released = Array(state.waiters.prefix(taken))
            state.waiters.removeFirst(taken)
            state.permits += count - taken
            return released
        }
        for continuation in released { continuation.resume() }
    }

    /// Turns waiting now (tests).
    var waiting: Int { state.withLock { $0.waiters.count } }
}
