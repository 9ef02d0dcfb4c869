import PropertyBased
import TestSupport
import Testing

@testable import IDVRunner

/// Backoff bounds over random bases, caps, attempt numbers and random words (the worked examples are
/// in `BackoffTests`).
@Suite("Backoff properties")
struct BackoffPropertyTests {
    static let milliseconds = Gen.int(in: 0...600_000).map { Duration.milliseconds($0) }
    static let attempts = Gen.frequency(
        (4, Gen.int(in: 1...64)), (1, Gen.int(in: 65...Int.max)), (1, Gen.int(in: Int.min...0)))

    @Test("every delay is within [0, cap] and within the attempt's ceiling, for any base, cap, attempt and draw")
    func delayWithinBounds() async {
        await propertyCheck(count: 2_000, input: Self.milliseconds, Self.milliseconds, Self.attempts, Gen.uint64()) {
            base, cap, attempt, word in
            let backoff = Backoff.exponentialJitter(base: base, cap: cap)
            var generator = FixedGenerator(value: word)
            let delay = backoff.delay(afterAttempt: attempt, using: &generator)
            let ceiling = backoff.ceiling(afterAttempt: attempt)
            #expect(delay >= .zero && delay <= cap)
            #expect(delay <= ceiling && ceiling <= cap)
            #expect(ceiling == Self.expectedCeiling(base: base, cap: cap, attempt: attempt))
        }
    }

    @Test("full jitter: the lowest draw gives 0 and the highest gives the whole ceiling")
    func fullJitterRange() async {
        await propertyCheck(count: 1_000, input: Self.milliseconds, Self.milliseconds, Self.attempts) {
            base, cap, attempt in
            let backoff = Backoff.exponentialJitter(base: base, cap: cap)
            let ceiling = backoff.ceiling(afterAttempt: attempt).secondsDouble
            var low = FixedGenerator(value: 0)
            var high = FixedGenerator(value: .max)
            #expect(backoff.delay(afterAttempt: attempt, using: &low) == .zero)
            let top = backoff.delay(afterAttempt: attempt, using: &high).secondsDouble
            #expect(top <= ceiling && top >= ceiling * (1 - 1e-9))
        }
    }

    @Test("the ceiling never falls as attempts grow")
    func ceilingMonotone() async {
        await propertyCheck(count: 1_000, input: Self.milliseconds, Self.milliseconds, Gen.int(in: 1...200)) {
            base, cap, attempt in
            let backoff = Backoff.exponentialJitter(base: base, cap: cap)
            #expect(backoff.ceiling(afterAttempt: attempt) <= backoff.ceiling(afterAttempt: attempt + 1))
        }
    }

    @Test("Retry-After is a floor: the delay is the larger of the jittered delay and Retry-After")
    func retryAfterFloor() async {
        await propertyCheck(count: 1_000, input: Self.milliseconds, Self.milliseconds, Self.milliseconds, Gen.uint64())
        {
            base, cap, retryAfter, word in
            let backoff = Backoff.exponentialJitter(base: base, cap: cap)
            var first = FixedGenerator(value: word)
            var second = FixedGenerator(value: word)
            let plain = backoff.delay(afterAttempt: 3, using: &first)
            #expect(backoff.delay(afterAttempt: 3, retryAfter: retryAfter, using: &second) == max(plain, retryAfter))
        }
    }

    @Test(
        "a zero base or cap gives no delay, even after an enormous attempt number (regression: the doubling loop ran once per attempt, never ending for a zero base)",
        arguments: [(Duration.zero, Duration.seconds(300)), (.seconds(1), .zero), (.zero, .zero)])
    func zeroBaseOrCap(base: Duration, cap: Duration) {
        let backoff = Backoff.exponentialJitter(base: base, cap: cap)
        var generator = FixedGenerator(value: .max)
        #expect(backoff.ceiling(afterAttempt: .max) == .zero)
        #expect(backoff.delay(afterAttempt: .max, using: &generator) == .zero)
    }

    /// min(cap, base · 2^(attempt−1)) in exact integer milliseconds (attempts below 1 count as 1).
    static func expectedCeiling(base: Duration, cap: Duration, attempt: Int) -> Duration {
        let baseMS = base.components.seconds * 1_000 + base.components.attoseconds / 1_000_000_000_000_000
        let capMS = cap.components.seconds * 1_000 + cap.components.attoseconds / 1_000_000_000_000_000
        var ceiling = baseMS
        var step = 1
        while step < attempt && ceiling < capMS && ceiling > 0 {
            ceiling *= 2
            step += 1
        }
        return .milliseconds(min(ceiling, capMS))
    }
}
