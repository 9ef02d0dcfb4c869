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
    /// Notifications waiting for delivery (``SandboxNotifier``), and how many are being sent.
    var pendingNotifications: [PendingNotification] = []
    var notificationsInFlight = 0
    /// Seeds applicant fates when the behaviour has no seed.
    let fateSeed = UInt64.random(in: .min ... .max)
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
        var createAnswers = 0
        var createAnswerSeconds = 0.0
        var notificationsDelivered = 0
        var notificationAttempts = 0
        var notificationsAbandoned = 0
        var notificationFaults: [String: Int] = [:]
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
        pendingNotifications.removeAll()
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

    /// Draws what the simulated applicant does with `session` (``ApplicantSimulation``): from the seed and
    /// the `user_tracking_id` (or the creation number), so a seed gives the same fates in any arrival order.
    mutating func assignFate(to session: inout SandboxSession) {
        let applicants = behaviour.applicants
        guard applicants != .none else { return }
        let seed = behaviour.seed ?? fateSeed
        let key = session.userTrackingID ?? "#\(counters.sessionsCreated)"
        session.fate = applicants.fate(seed: seed, key: key)
        guard session.fate != .staysOngoing else { return }
        let due = session.createdAt.addingTimeInterval(applicants.delay.inSeconds)
        session.fateDueAt = due
        if case .completes = session.fate, let notification = PendingNotification.completion(of: session, due: due) {
            pendingNotifications.append(notification)
        }
    }

    /// Takes the notifications due now, as many as the delivery's concurrency leaves room for.
    mutating func takeDueNotifications() -> [PendingNotification] {
        let room = behaviour.notifications.maxConcurrent - notificationsInFlight
        guard room > 0, !pendingNotifications.isEmpty else { return [] }
        let now = self.now
        var taken: [PendingNotification] = []
        var kept: [PendingNotification] = []
        kept.reserveCapacity(pendingNotifications.count)
        for notification in pendingNotifications {
            if taken.count < room && notification.due <= now {
                taken.append(notification)
            } else {
                kept.append(notification)
            }
        }
        pendingNotifications = kept
        notificationsInFlight += taken.count
        return taken
    }

    /// Sessions stored, per state at `now`, and completed ones per overall recommendation.
    func sessionOutcomes() -> (states: [String: Int], recommendations: [String: Int]) {
        let now = self.now
        var states: [String: Int] = [:]
        var recommendations: [String: Int] = [:]
        for session in sessions.values {
            states[session.state(at: now).rawValue, default: 0] += 1
            if let value = session.recommendation(at: now) { recommendations[value, default: 0] += 1 }
        }
        return (states, recommendations)
    }

    mutating func requestStarted() {
        counters.concurrent += 1
        counters.peakConcurrent = max(counters.peakConcurrent, counters.concurrent)
    }

    mutating func requestEnded() { counters.concurrent -= 1 }

    mutating func countFault(_ fault: InjectedFault) { counters.faults[fault.statsKey, default: 0] += 1 }

    var stats: SandboxStats {
        let outcomes = sessionOutcomes()
        var emailed: [String: Int] = [:]
        var notified = 0
        for session in sessions.values {
            if !session.lettersEmailed.isEmpty { emailed[session.id] = session.lettersEmailed.count }
            notified += session.emailRequestsNotified
        }
        var stats = SandboxStats(
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
            createRequestsPerSecondMean: counters.createMeter.meanPerSecond,
            createAnswerSecondsMean: counters.createAnswers > 0
                ? counters.createAnswerSeconds / Double(counters.createAnswers) : 0,
            sessionStates: outcomes.states,
            completedByRecommendation: outcomes.recommendations,
            notificationsDelivered: counters.notificationsDelivered,
            notificationAttempts: counters.notificationAttempts,
            notificationsAbandoned: counters.notificationsAbandoned,
            notificationFaults: counters.notificationFaults
        )
        stats.lettersEmailed = emailed.values.reduce(0, +)
        stats.lettersEmailedPerSession = emailed
        stats.emailRequestsNotified = notified
        return stats
    }
}
