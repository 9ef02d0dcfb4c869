/// What the sandbox's simulated applicants do with their sessions: a share completes after a delay with
/// a chosen mix of recommendations, a share lets the session expire, the rest stay ongoing.
///
/// Each session's fate is drawn when it is created, from the behaviour's `seed` and the session's
/// `user_tracking_id` (or, without one, its creation number), so the same seed and the same applicants
/// give the same fates whatever order the requests arrive in.
package struct ApplicantSimulation: Sendable, Hashable {
    /// Share of sessions whose applicant finishes (0...1): the session becomes `COMPLETED` after ``delay``.
    package var completeShare: Double
    /// Share of sessions the applicant abandons (0...1, with ``completeShare`` at most 1): the session
    /// reports `EXPIRED` after ``delay`` (its token is spent early), as an abandoned session does.
    package var expireShare: Double
    /// Time from creation to completion or expiry (sandbox clock; `advanceClock` moves it).
    package var delay: Duration
    /// Relative weights of the overall recommendation of completed sessions.
    package var recommendationMix: RecommendationMix

    /// Weights (non-negative, not all zero) of APPROVE, REJECT and NOT_AVAILABLE.
    package struct RecommendationMix: Sendable, Hashable {
        package var approve: Double
        package var reject: Double
        package var notAvailable: Double

        package init(approve: Double = 1, reject: Double = 0, notAvailable: Double = 0) {
            self.approve = approve
            self.reject = reject
            self.notAvailable = notAvailable
        }
    }

    /// - Parameters: see the properties; the defaults leave every session ongoing.
    package init(
        completeShare: Double = 0, expireShare: Double = 0, delay: Duration = .zero,
        recommendationMix: RecommendationMix = RecommendationMix()
    ) {
        self.completeShare = completeShare
        self.expireShare = expireShare
        self.delay = delay
        self.recommendationMix = recommendationMix
    }

    /// No applicant acts: sessions stay ongoing until their token expires (the default).
    package static let none = ApplicantSimulation()

    /// Checks the shares and weights.
    /// - Throws: `SandboxError.Code.invalidConfiguration` naming the bad value.
    func validate() throws {
        func fail(_ message: String) -> SandboxError { SandboxError(code: .invalidConfiguration, message: message) }
        guard (0...1).contains(completeShare), (0...1).contains(expireShare) else {
            throw fail("the applicants' complete and expire shares must be within 0...1")
        }
        guard completeShare + expireShare <= 1 + 1e-9 else {
            throw fail("the applicants' complete and expire shares sum to more than 1")
        }
        guard delay >= .zero else { throw fail("the applicants' delay must not be negative") }
        let mix = recommendationMix
        guard mix.approve >= 0, mix.reject >= 0, mix.notAvailable >= 0, mix.approve + mix.reject + mix.notAvailable > 0
        else { throw fail("the recommendation mix needs non-negative weights, not all zero") }
    }

    /// The fate of the session keyed `key`, drawn from `seed`.
    func fate(seed: UInt64, key: String) -> SandboxSession.Fate {
        var generator = SplitMix64(seed: seed ^ Self.fnv1a(key))
        let draw = generator.unit()
        if draw < completeShare {
            let mix = recommendationMix
            let pick = generator.unit() * (mix.approve + mix.reject + mix.notAvailable)
            let value =
                pick < mix.approve ? "APPROVE" : pick < mix.approve + mix.reject ? "REJECT" : "NOT_AVAILABLE"
            return .completes(recommendation: value)
        }
        return draw < completeShare + expireShare ? .expires : .staysOngoing
    }

    /// FNV-1a over the key's bytes: a stable hash (Swift's `Hasher` is seeded per process).
    static func fnv1a(_ key: String) -> UInt64 {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in key.utf8 {
            hash ^= UInt64(byte)
            hash = hash &* 0x100_0000_01b3
        }
        return hash
    }
}
