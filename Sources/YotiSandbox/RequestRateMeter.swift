/// Measures arrivals: the most within any sliding 1-second window, and the mean rate.
struct RequestRateMeter: Sendable {
    private var window = FIFOQueue<ContinuousClock.Instant>()
    private(set) var count = 0
    private(set) var maxPerSecond = 0
    private var first: ContinuousClock.Instant?
    private var last: ContinuousClock.Instant?

    mutating func record(_ now: ContinuousClock.Instant) {
        window.popWhile { now - $0 >= .seconds(1) }
        window.append(now)
        maxPerSecond = max(maxPerSecond, window.count)
        count += 1
        if first == nil { first = now }
        last = now
    }

    /// Arrivals per second between the first and the last, the span counted as at least one second.
    var meanPerSecond: Double {
        guard let first, let last else { return 0 }
        return Double(count) / max(1, (last - first).inSeconds)
    }
}
