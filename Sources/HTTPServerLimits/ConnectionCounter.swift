import Synchronization

/// Connections open on one server right now, shared by all of its connections' handlers.
package final class ConnectionCounter: Sendable {
    private let open = Atomic<Int>(0)
    private let refusedTotal = Atomic<Int>(0)
    private let onRefused: @Sendable () -> Void

    /// A counter at zero; `onRefused` runs (on an event loop: keep it short) for every connection refused.
    package init(onRefused: @escaping @Sendable () -> Void = {}) {
        self.onRefused = onRefused
    }

    /// Connections open now.
    package var current: Int { open.load(ordering: .relaxed) }
    /// Connections refused over the cap since the start.
    package var refused: Int { refusedTotal.load(ordering: .relaxed) }

    /// Counts a new connection; returns how many are open with it.
    func opened() -> Int { open.wrappingAdd(1, ordering: .relaxed).newValue }

    /// Counts a closed connection.
    func closed() { open.wrappingSubtract(1, ordering: .relaxed) }

    /// Counts a connection refused over the cap.
    func refusedOne() {
        refusedTotal.wrappingAdd(1, ordering: .relaxed)
        onRefused()
    }
}
