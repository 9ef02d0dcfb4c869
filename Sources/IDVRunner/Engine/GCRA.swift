import Foundation

/// The maths of the generic cell rate algorithm (GCRA) the shared rate limit uses.
///
/// State is one timestamp per batch, the theoretical arrival time `tat`: the earliest moment the next
/// request may go out. Reserving `k` requests moves it to `max(tat, now, pausedUntil) + k / rate` and
/// hands the caller the old value as the start of its window; the caller then sends request `i` at
/// `start + i / rate`. Because every reservation is a disjoint stretch of time, requests of all workers
/// are spaced at least `1 / rate` apart, so no one-second window holds more than `rate + 1` of them.
/// ``SharedRateLimiter`` runs the same formula inside one PostgreSQL `UPDATE`.
public enum GCRA {
    /// How many requests to reserve per round trip: about a tenth of a second's worth, at least one.
    ///
    /// Larger batches save round trips but let one worker sit on slots another could use; a tenth
    /// of a second keeps that unfairness invisible while costing at most ten round trips per second.
    public static func reservationSize(rate: Double) -> Int {
        guard rate.isFinite, rate > 0 else { return 1 }
        return max(1, Int((rate / 10).rounded(.down)))
    }

    /// The window a reservation of `count` requests gets, and the state after it.
    /// - Parameters:
    ///   - tat: the current theoretical arrival time (`nil` when the batch has no state yet).
    ///   - now: the current time.
    ///   - pausedUntil: a 429 pause, if one is in force.
    ///   - count: requests to reserve (k ≥ 1).
    ///   - rate: requests per second (> 0).
    /// - Returns: when the first reserved request may go out, and the new `tat`.
    public static func reserve(
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

    /// Offsets from the window start at which the reserved requests go out: `i / rate` for `i` in `0..<count`.
    public static func slotOffsets(count: Int, rate: Double) -> [Duration] {
        (0..<max(0, count)).map { .seconds(Double($0) / rate) }
    }

    /// The largest number of instants inside any half-open window `[t, t + window)`: how a limit is checked.
    public static func maximumInWindow(_ instants: [Date], window: TimeInterval = 1) -> Int {
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
