import Foundation

/// Where the runner reads the time and how it waits: injected so tests control time.
///
/// Wall-clock `now()` stamps what goes to the database (token expiry = send time + ttl); `sleep`
/// paces the rate limiter and idle waits. Both come from one value so a test clock moves them together.
package struct RunnerClock: Sendable {
    /// The current wall-clock time.
    package var now: @Sendable () -> Date
    /// Suspends for the duration; throws `CancellationError` when the task is cancelled.
    package var sleep: @Sendable (Duration) async throws -> Void

    /// A clock from explicit closures (tests).
    package init(now: @escaping @Sendable () -> Date, sleep: @escaping @Sendable (Duration) async throws -> Void) {
        self.now = now
        self.sleep = sleep
    }

    /// The system wall clock and `ContinuousClock` sleeps.
    package static let system = RunnerClock(
        now: { Date() },
        sleep: { duration in
            guard duration > .zero else { return try Task.checkCancellation() }
            try await ContinuousClock().sleep(for: duration)
        }
    )

    /// Sleeps until the wall-clock instant `date` (returns at once when it has passed).
    package func sleep(until date: Date) async throws {
        let remaining = date.timeIntervalSince(now())
        if remaining > 0 {
            try await sleep(.seconds(remaining))
        } else {
            try Task.checkCancellation()
        }
    }
}
