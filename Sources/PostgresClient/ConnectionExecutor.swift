import Dispatch

/// The serial executor behind every ``PostgresConnection``: a private dispatch queue per connection.
///
/// libpq calls block. Running the connection actor on its own serial queue — which targets an
/// overcommitting global queue, not the width-limited pool Swift concurrency runs on — means a
/// `PQgetResult` waiting seconds for the server parks one dispatch thread, never a cooperative one.
/// `PostgresConnectionTests.timerLateness` measures that this holds.
final class ConnectionExecutor: SerialExecutor {
    private let queue: DispatchQueue

    init(label: String) {
        queue = DispatchQueue(label: label)
    }

    func enqueue(_ job: consuming ExecutorJob) {
        let unownedJob = UnownedJob(job)
        let executor = asUnownedSerialExecutor()
        queue.async { unownedJob.runSynchronously(on: executor) }
    }

    func asUnownedSerialExecutor() -> UnownedSerialExecutor {
        UnownedSerialExecutor(ordinary: self)
    }

    func checkIsolated() {
        dispatchPrecondition(condition: .onQueue(queue))
    }
}
