import Foundation
import YotiAPI

/// All mutable sandbox state, kept behind one lock in `SandboxCore`.
struct SandboxState: Sendable {
    private(set) var behaviour: SandboxBehaviour
    var rng: SplitMix64
    var limiter: SlidingWindowLimiter?
    var nonces: NonceRegistry
    var sessions: [String: SandboxSession] = [:]
    var signConfigs: [SandboxSignConfiguration] = []
    /// Added to the wall clock for everything about session lifetime; tests advance it to expire tokens.
    var clockOffset: Duration = .zero
    var counters = Counters()
    private var specOrder = FIFOQueue<String>()
    private let specRetentionLimit: Int

    struct Counters: Sendable {
        var sessionsCreated = 0
        var sessionsDeleted = 0
        var perUserTrackingID: [String: Int] = [:]
        var withoutUserTrackingID = 0
        var duplicatedUserTrackingIDs = 0
        var duplicateSessions = 0
        var signaturesRejected = 0
        var bearerRejected = 0
        var byStatus: [Int: Int] = [:]
        var faults: [String: Int] = [:]
        var rateLimited = 0
        var concurrent = 0
        var peakConcurrent = 0
        var createMeter = RequestRateMeter()
    }

    init(behaviour: SandboxBehaviour, options: SandboxConfiguration.Options) {
        self.behaviour = behaviour
        self.rng = SplitMix64(seed: behaviour.seed)
        self.limiter = behaviour.createRateLimit.map(SlidingWindowLimiter.init(perSecond:))
        self.nonces = NonceRegistry(memory: options.nonceMemory, capacity: options.maxRememberedNonces)
        self.specRetentionLimit = options.specRetentionLimit
    }

    /// The sandbox's notion of now for session lifetimes.
    var now: Date { Date().addingTimeInterval(clockOffset.inSeconds) }

    /// Replaces the behaviour, re-seeding the generator and restarting the rate window.
    mutating func setBehaviour(_ behaviour: SandboxBehaviour) {
        self.behaviour = behaviour
        rng = SplitMix64(seed: behaviour.seed)
        limiter = behaviour.createRateLimit.map(SlidingWindowLimiter.init(perSecond:))
    }

    /// Forgets sessions, configs, nonces and counters, keeping the behaviour (re-seeded).
    mutating func reset() {
        sessions.removeAll()
        signConfigs.removeAll()
        nonces.removeAll()
        specOrder.removeAll()
        clockOffset = .zero
        let concurrent = counters.concurrent
        counters = Counters()
        // Requests in flight still finish and decrement; keep them counted.
        counters.concurrent = concurrent
        counters.peakConcurrent = concurrent
        setBehaviour(behaviour)
    }

    /// Stores a new session and counts it, dropping the spec of the oldest session beyond the retention limit.
    mutating func store(_ session: SandboxSession) {
        var session = session
        if specRetentionLimit == 0 { session.spec = nil }
        sessions[session.id] = session
        if session.spec != nil {
            specOrder.append(session.id)
            while specOrder.count > specRetentionLimit, let oldest = specOrder.popFirst() {
                sessions[oldest]?.spec = nil
            }
        }
        counters.sessionsCreated += 1
        guard let tracking = session.userTrackingID else {
            counters.withoutUserTrackingID += 1
            return
        }
        let count = counters.perUserTrackingID[tracking, default: 0] + 1
        counters.perUserTrackingID[tracking] = count
        if count == 2 { counters.duplicatedUserTrackingIDs += 1 }
        if count >= 2 { counters.duplicateSessions += 1 }
    }

    mutating func requestStarted() {
        counters.concurrent += 1
        counters.peakConcurrent = max(counters.peakConcurrent, counters.concurrent)
    }

    mutating func requestEnded() { counters.concurrent -= 1 }

    mutating func countFault(_ fault: InjectedFault) { counters.faults[fault.statsKey, default: 0] += 1 }

    var stats: SandboxStats {
        SandboxStats(
            sessionsCreated: counters.sessionsCreated,
            sessionsStored: sessions.count,
            sessionsDeleted: counters.sessionsDeleted,
            sessionsPerUserTrackingID: counters.perUserTrackingID,
            sessionsWithoutUserTrackingID: counters.withoutUserTrackingID,
            duplicatedUserTrackingIDs: counters.duplicatedUserTrackingIDs,
            duplicateSessions: counters.duplicateSessions,
            signaturesRejected: counters.signaturesRejected,
            bearerRejected: counters.bearerRejected,
            requestsByStatus: Dictionary(uniqueKeysWithValues: counters.byStatus.map { (String($0.key), $0.value) }),
            faultsInjected: counters.faults,
            rateLimited: counters.rateLimited,
            concurrentRequests: counters.concurrent,
            peakConcurrentRequests: counters.peakConcurrent,
            createRequests: counters.createMeter.count,
            createRequestsPerSecondMax: counters.createMeter.maxPerSecond,
            createRequestsPerSecondMean: counters.createMeter.meanPerSecond
        )
    }
}
