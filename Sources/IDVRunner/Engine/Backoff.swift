/// How long a row waits before its next attempt after a retryable failure.
///
/// The delay is scheduled in the database (`next_attempt_at`), so a crash loses no retry.
package struct Backoff: Sendable, Hashable, CustomStringConvertible {
    /// The first retry's upper bound; doubles with every counted attempt.
    package var base: Duration
    /// No delay is ever longer than this (before `Retry-After` is applied).
    package var cap: Duration

    /// Capped exponential backoff with FULL jitter: after the n-th attempt the delay is drawn
    /// uniformly from `0 ... min(cap, base · 2^(n-1))`. Full jitter spreads a herd of retries evenly
    /// instead of letting them hit Yoti again in lock-step.
    /// - Parameters:
    ///   - base: default 1 s.
    ///   - cap: default 300 s.
    package static func exponentialJitter(base: Duration = .seconds(1), cap: Duration = .seconds(300)) -> Backoff {
        Backoff(base: base, cap: cap)
    }

    /// The largest delay the jitter may pick after attempt `attempt` (1-based): `min(cap, base · 2^(attempt-1))`.
    package func ceiling(afterAttempt attempt: Int) -> Duration {
        // A zero (or negative) base never grows: without this the doubling loop below would run
        // once per attempt — forever, for a huge attempt number.
        guard base > .zero, cap > .zero else { return .zero }
        let exponent = max(0, attempt - 1)
        // 2^62 overflows Duration arithmetic long before it matters: stop doubling once past the cap.
        var ceiling = base
        var step = 0
        while step < exponent && ceiling < cap {
            ceiling = ceiling * 2
            step += 1
        }
        return min(ceiling, cap)
    }

    /// The delay before the next attempt.
    /// - Parameters:
    ///   - attempt: how many attempts of this row have been made so far (1 after the first failure).
    ///   - retryAfter: Yoti's `Retry-After`, when it sent one: the delay is never shorter.
    ///   - generator: the randomness source (inject a seeded one in tests).
    package func delay(
        afterAttempt attempt: Int,
        retryAfter: Duration? = nil,
        using generator: inout some RandomNumberGenerator
    ) -> Duration {
        let ceiling = ceiling(afterAttempt: attempt)
        let ceilingSeconds = ceiling.secondsDouble
        // 53 random bits → a uniform fraction in [0, 1): one draw, no rejection loop.
        let fraction = Double(generator.next() >> 11) * 0x1.0p-53
        let jittered: Duration = .seconds(ceilingSeconds * fraction)
        guard let retryAfter else { return jittered }
        return max(jittered, retryAfter)
    }

    package var description: String {
        "exponential backoff with full jitter (base \(base.secondsDouble) s, cap \(cap.secondsDouble) s)"
    }
}

extension Duration {
    /// The duration as fractional seconds (for SQL intervals and log lines).
    package var secondsDouble: Double {
        let (seconds, attoseconds) = components
        return Double(seconds) + Double(attoseconds) / 1e18
    }
}
