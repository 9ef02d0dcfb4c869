import Foundation

/// The maths of the generic cell rate algorithm (GCRA) the shared rate limit uses.
///
/// State is one timestamp per batch, the theoretical arrival time `tat`: the earliest moment the next
/// request may go out. Reserving `k` requests moves it to `max(tat, now, pausedUntil) + k / rate` and
/// hands the caller the old value as the start of its window; the caller then sends request `i` at
/// `start + i / rate`. Because every reservation is a disjoint stretch of time, requests of all workers
/// are spaced at least `1 / rate` apart, so no one-second window holds more than `rate + 1` of them.
/// ``SharedRateLimiter`` runs the same formula inside one PostgreSQL `UPDATE`.
package enum GCRA {
    /// How many requests to reserve per round trip: about a tenth of a second's worth, at least one.
    ///
    /// Larger batches save round trips but let one worker sit on slots another could use; a tenth
    /// of a second keeps that unfairness invisible while costing at most ten round trips per second.
    package static func reservationSize(rate: Double) -> Int {
        guard rate.isFinite, rate > 0 else { return 1 }
        return max(1, Int((rate / 10).rounded(.down)))
    }

    /// Offsets from the window start at which the reserved requests go out: `i / rate` for `i` in `0..<count`.
    package static func slotOffsets(count: Int, rate: Double) -> [Duration] {
        (0..<max(0, count)).map { .seconds(Double($0) / rate) }
    }
}
