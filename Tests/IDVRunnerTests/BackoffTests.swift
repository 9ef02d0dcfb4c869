import TestSupport
import Testing
import YotiSandbox

@testable import IDVRunner

@Suite("Backoff: capped exponential, full jitter")
struct BackoffTests {
    @Test(
        "the ceiling doubles per attempt from the base and stops at the cap",
        arguments: [
            (1, 1.0), (2, 2.0), (3, 4.0), (4, 8.0), (5, 16.0), (8, 128.0), (9, 256.0), (10, 300.0), (60, 300.0),
        ])
    func ceiling(attempt: Int, expectedSeconds: Double) {
        let backoff = Backoff.exponentialJitter(base: .seconds(1), cap: .seconds(300))
        #expect(backoff.ceiling(afterAttempt: attempt) == .seconds(expectedSeconds))
    }

    @Test("every delay lies in [0, ceiling] and the draws cover the range", arguments: [1, 2, 3, 5, 9, 12])
    func delayBounds(attempt: Int) {
        let backoff = Backoff.exponentialJitter()
        let ceiling = backoff.ceiling(afterAttempt: attempt).secondsDouble
        var generator = SplitMix64(seed: UInt64(attempt))
        let delays = (0..<2_000).map { _ in backoff.delay(afterAttempt: attempt, using: &generator).secondsDouble }
        #expect(delays.allSatisfy { $0 >= 0 && $0 <= ceiling })
        // Full jitter: uniform over the whole range, not "ceiling ± a bit".
        #expect(delays.min()! < ceiling * 0.05)
        #expect(delays.max()! > ceiling * 0.95)
    }

    @Test("the extremes of the random source map to 0 and to the ceiling")
    func extremes() {
        let backoff = Backoff.exponentialJitter(base: .seconds(2), cap: .seconds(60))
        var low = FixedGenerator(value: 0)
        var high = FixedGenerator(value: .max)
        #expect(backoff.delay(afterAttempt: 3, using: &low) == .zero)
        let top = backoff.delay(afterAttempt: 3, using: &high).secondsDouble
        #expect(top < 8 && top > 8 - 1e-9)
    }

    @Test(
        "Retry-After is a floor, never shortened by jitter",
        arguments: [(1, 5.0), (3, 0.5), (10, 400.0)])
    func retryAfterFloor(attempt: Int, retryAfterSeconds: Double) {
        let backoff = Backoff.exponentialJitter()
        var generator = SplitMix64(seed: 42)
        for _ in 0..<200 {
            let delay = backoff.delay(afterAttempt: attempt, retryAfter: .seconds(retryAfterSeconds), using: &generator)
            #expect(delay >= .seconds(retryAfterSeconds))
            #expect(delay.secondsDouble <= max(retryAfterSeconds, backoff.ceiling(afterAttempt: attempt).secondsDouble))
        }
    }
}
