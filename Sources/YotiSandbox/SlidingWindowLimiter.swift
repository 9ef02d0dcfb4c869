/// Admits at most `limit` events per sliding window, the way a server enforces "R requests per second".
///
/// For R ≥ 1 the window is one second and the limit ⌊R⌋; for R < 1 one event per 1/R seconds.
struct SlidingWindowLimiter: Sendable {
    let limit: Int
    let window: Duration
    private var admitted = FIFOQueue<ContinuousClock.Instant>()

    init(perSecond rate: Double) {
        if rate >= 1 {
            limit = Int(rate.rounded(.down))
            window = .seconds(1)
        } else {
            limit = 1
            window = .seconds(1 / rate)
        }
    }

    /// Admits an event at `now`, or returns the whole seconds (at least 1) until one would be admitted.
    mutating func admit(now: ContinuousClock.Instant) -> Int? {
        admitted.popWhile { now - $0 >= window }
        guard admitted.count >= limit, let oldest = admitted.first else {
            admitted.append(now)
            return nil
        }
        let wait = (oldest + window) - now
        return max(1, Int(wait.inSeconds.rounded(.up)))
    }
}
