import Foundation

@testable import IDVRunner

/// The GCRA formula in Swift (``SharedRateLimiter`` runs it inside one PostgreSQL `UPDATE`) and the
/// window count the rate tests check limits with: test references, not production code.
extension GCRA {
    /// The window a reservation of `count` requests gets, and the state after it.
    /// - Parameters:
    ///   - tat: the current theoretical arrival time (`nil` when the batch has no state yet).
    ///   - now: the current time.
    ///   - pausedUntil: a 429 pause, if one is in force.
    ///   - count: requests to reserve (k ≥ 1).
    ///   - rate: requests per second (> 0).
    /// - Returns: when the first reserved request may go out, and the new `tat`.
    static func reserve(
        tat: Date?,
        now: Date,
        pausedUntil: Date?,
        count: Int,
        rate: Double
    ) -> (start: Date, newTAT: Date) {
        var start = max(tat ?? now, now)
        if let pausedUntil { start = max(start, pausedUntil) }
        return (start, start.addingTimeInterval(Double(count) / rate))
    }

    /// The largest number of instants inside any half-open window `[t, t + window)`: how a limit is checked.
    static func maximumInWindow(_ instants: [Date], window: TimeInterval = 1) -> Int {
        let sorted = instants.sorted()
        var best = 0
        var lower = 0
        for upper in sorted.indices {
            while sorted[upper].timeIntervalSince(sorted[lower]) >= window { lower += 1 }
            best = max(best, upper - lower + 1)
        }
        return best
    }
}
