import Synchronization

/// `/healthz`'s answer, worked out at most once per ``ReceiverConfiguration/healthCacheDuration``.
///
/// `/healthz` needs no token and its probe (`SELECT 1`) runs on the pool that stores notifications: without
/// a cache, anyone who can reach the port could keep that pool busy. With it, however many ask, the database
/// sees one probe per period: while a probe is under way, others get the last answer, or (before the first
/// answer) wait for the same probe.
final class HealthCheck: Sendable {
    private struct State {
        var answer: Bool?
        var answeredAt: ContinuousClock.Instant?
        var probing: Task<Bool, Never>?
    }

    private enum Next {
        case answer(Bool)
        case wait(Task<Bool, Never>)
    }

    private let state = Mutex(State())
    private let cacheDuration: Duration
    private let probe: @Sendable () async -> Bool

    /// A check running `probe` when the last answer is older than `cacheDuration`.
    init(cacheDuration: Duration, probe: @escaping @Sendable () async -> Bool) {
        self.cacheDuration = cacheDuration
        self.probe = probe
    }

    /// Whether the service is healthy: the cached answer when fresh, else the answer of a new probe (or of the
    /// one under way).
    func isHealthy() async -> Bool {
        let now = ContinuousClock.now
        let probe = self.probe
        let next: Next = state.withLock { state in
            if let answer = state.answer, let at = state.answeredAt, now - at < cacheDuration {
                return .answer(answer)
            }
            if let probing = state.probing { return state.answer.map { .answer($0) } ?? .wait(probing) }
            let probing = Task { await probe() }
            state.probing = probing
            return .wait(probing)
        }
        switch next {
        case .answer(let answer):
            return answer
        case .wait(let probing):
            let answer = await probing.value
            state.withLock { state in
                guard state.probing == probing else { return }
                state.answer = answer
                state.answeredAt = .now
                state.probing = nil
            }
            return answer
        }
    }
}
