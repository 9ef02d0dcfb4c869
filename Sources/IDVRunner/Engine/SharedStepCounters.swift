import Synchronization

/// ``StepCounters`` shared between the window loop (writer) and the progress reporter (reader).
final class SharedStepCounters: Sendable {
    private let state: Mutex<StepCounters>

    init(_ initial: StepCounters) { state = Mutex(initial) }

    /// Reads or updates the counters under the lock.
    func withLock<Result: Sendable>(_ body: (inout StepCounters) -> Result) -> Result {
        state.withLock { body(&$0) }
    }
}
