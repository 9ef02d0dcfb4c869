import Synchronization

/// ``RunCounters`` shared between the window loop (writer) and the progress reporter (reader).
final class SharedRunCounters: Sendable {
    private let state: Mutex<RunCounters>

    init(_ initial: RunCounters) { state = Mutex(initial) }

    /// Reads or updates the counters under the lock.
    func withLock<Result: Sendable>(_ body: (inout RunCounters) -> Result) -> Result {
        state.withLock { body(&$0) }
    }
}
