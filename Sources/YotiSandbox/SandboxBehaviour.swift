/// How the sandbox misbehaves: latency, a rate limit, injected faults, and delete conflicts.
///
/// The default is a healthy, instant, unlimited server. Switch at runtime with `YotiSandbox.setBehaviour(_:)`;
/// switching re-seeds the random generator when `seed` is set, so each test step is reproducible.
package struct SandboxBehaviour: Sendable, Hashable {
    /// How long after its head arrived every request is answered, at the least (default zero): the signature
    /// check runs within it. Scheduled as a timer, never blocking a thread.
    package var latency: Duration
    /// Extra delay drawn uniformly from `0...jitter` per request (default zero).
    package var jitter: Duration
    /// Maximum accepted `POST /sessions` per second over any sliding 1-second window; above it the sandbox
    /// answers 429 with `Retry-After` (seconds). `nil` (default) means no limit.
    package var createRateLimit: Double?
    /// Probabilities of injected faults (default all zero).
    package var faults: FaultRates
    /// Which requests faults are drawn for (default: `POST /sessions` only).
    package var faultScope: FaultScope
    /// How long a stalled request is held before the connection is closed without an answer (default 30 s).
    /// Choose it longer than the client's request timeout.
    package var stallDuration: Duration
    /// Whether a stalled `POST /sessions` still creates the session, as a slow backend would (default true).
    package var stallCreatesSession: Bool
    /// When true, `DELETE /sessions/{id}` answers 409 (checks unfinished) and keeps the session (default false).
    package var deleteAnswersConflict: Bool
    /// Seed for the fault and jitter generator and the applicants' fates; `nil` (default) seeds from the
    /// system generator.
    package var seed: UInt64?
    /// What simulated applicants do with their sessions (default: nothing; sessions stay ongoing).
    package var applicants: ApplicantSimulation
    /// How notifications to the sessions' `notifications.endpoint` are delivered (faults, retries).
    package var notifications: NotificationDelivery

    /// Creates a behaviour; every parameter defaults to the healthy value.
    package init(
        latency: Duration = .zero,
        jitter: Duration = .zero,
        createRateLimit: Double? = nil,
        faults: FaultRates = .none,
        faultScope: FaultScope = .createSession,
        stallDuration: Duration = .seconds(30),
        stallCreatesSession: Bool = true,
        deleteAnswersConflict: Bool = false,
        seed: UInt64? = nil,
        applicants: ApplicantSimulation = .none,
        notifications: NotificationDelivery = NotificationDelivery()
    ) {
        self.latency = latency
        self.jitter = jitter
        self.createRateLimit = createRateLimit
        self.faults = faults
        self.faultScope = faultScope
        self.stallDuration = stallDuration
        self.stallCreatesSession = stallCreatesSession
        self.deleteAnswersConflict = deleteAnswersConflict
        self.seed = seed
        self.applicants = applicants
        self.notifications = notifications
    }

    /// A fast, correct server.
    package static let healthy = SandboxBehaviour()

    /// A correct server that answers after `fixed` plus up to `jitter`.
    package static func latency(_ fixed: Duration, jitter: Duration = .zero) -> SandboxBehaviour {
        SandboxBehaviour(latency: fixed, jitter: jitter)
    }

    /// A correct server that accepts at most `perSecond` `POST /sessions` per sliding second.
    package static func rateLimited(_ perSecond: Double) -> SandboxBehaviour {
        SandboxBehaviour(createRateLimit: perSecond)
    }

    /// A server injecting `faults` with a reproducible generator.
    package static func faulty(_ faults: FaultRates, seed: UInt64? = nil) -> SandboxBehaviour {
        SandboxBehaviour(faults: faults, seed: seed)
    }

    /// Checks every value is in range.
    ///
    /// - Throws: `SandboxError.Code.invalidConfiguration` naming the bad value.
    package func validate() throws {
        func fail(_ message: String) -> SandboxError { SandboxError(code: .invalidConfiguration, message: message) }
        if latency < .zero || jitter < .zero { throw fail("latency and jitter must not be negative") }
        if stallDuration < .zero { throw fail("stall duration must not be negative") }
        if let rate = createRateLimit, !(rate > 0 && rate.isFinite) {
            throw fail("the rate limit must be a positive number of requests per second, or none")
        }
        try faults.validate()
        try applicants.validate()
        try notifications.validate()
    }
}

extension SandboxBehaviour {
    /// Probabilities (each 0...1, summing to at most 1) of the faults injected into a request in scope.
    ///
    /// One uniform draw per request picks at most one fault, in the order the properties are listed.
    package struct FaultRates: Sendable, Hashable {
        /// Answer 500 with an HTML body, before anything is created.
        package var internalServerError: Double
        /// Answer 503 with an HTML body, before anything is created.
        package var serviceUnavailable: Double
        /// Answer 429 with `Retry-After: 1`, before anything is created.
        package var tooManyRequests: Double
        /// Hold the request for `stallDuration`, then close the connection without answering.
        package var stall: Double
        /// Reset the connection (TCP RST) as soon as the request head arrives, without reading the body:
        /// no session is created.
        package var resetBeforeCreating: Double
        /// Create and count the session, then reset the connection without answering.
        package var resetAfterCreating: Double
        /// Create the session, then answer 201 with a truncated JSON body.
        package var malformedCreated: Double

        /// Creates fault rates; every rate defaults to zero.
        package init(
            internalServerError: Double = 0,
            serviceUnavailable: Double = 0,
            tooManyRequests: Double = 0,
            stall: Double = 0,
            resetBeforeCreating: Double = 0,
            resetAfterCreating: Double = 0,
            malformedCreated: Double = 0
        ) {
            self.internalServerError = internalServerError
            self.serviceUnavailable = serviceUnavailable
            self.tooManyRequests = tooManyRequests
            self.stall = stall
            self.resetBeforeCreating = resetBeforeCreating
            self.resetAfterCreating = resetAfterCreating
            self.malformedCreated = malformedCreated
        }

        /// No faults.
        package static let none = FaultRates()

        var ordered: [(InjectedFault, Double)] {
            [
                (.internalServerError, internalServerError), (.serviceUnavailable, serviceUnavailable),
                (.tooManyRequests, tooManyRequests), (.stall, stall), (.resetBeforeCreating, resetBeforeCreating),
                (.resetAfterCreating, resetAfterCreating), (.malformedCreated, malformedCreated),
            ]
        }

        /// Checks each rate is in 0...1 and that they sum to at most 1.
        ///
        /// - Throws: `SandboxError.Code.invalidConfiguration`.
        package func validate() throws {
            var total = 0.0
            for (fault, rate) in ordered {
                guard rate >= 0 && rate <= 1 else {
                    throw SandboxError(
                        code: .invalidConfiguration, message: "fault rate \(fault.statsKey) must be within 0...1")
                }
                total += rate
            }
            guard total <= 1 + 1e-9 else {
                throw SandboxError(
                    code: .invalidConfiguration,
                    message: "fault rates sum to \(total); they must sum to at most 1 (one fault per request)")
            }
        }

        /// The fault selected by a uniform draw `u` in `0..<1`, if any.
        func pick(_ u: Double) -> InjectedFault? {
            var cumulative = 0.0
            for (fault, rate) in ordered where rate > 0 {
                cumulative += rate
                if u < cumulative { return fault }
            }
            return nil
        }
    }

    /// Which requests faults are drawn for.
    package struct FaultScope: Sendable, Hashable {
        let includesEveryIDVRequest: Bool

        /// Only `POST /sessions` (the default).
        package static let createSession = FaultScope(includesEveryIDVRequest: false)
        /// Every signed IDV request. Faults that create sessions act like their "before" variant elsewhere
        /// (reset after creating resets after processing; malformed answers a truncated body).
        package static let everyIDVRequest = FaultScope(includesEveryIDVRequest: true)
    }
}
