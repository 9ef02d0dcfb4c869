import CoreMetrics
import Synchronization

/// What `run` (and `rerun`) report through swift-metrics: rows by outcome, attempts by class and HTTP
/// status, call latency, sessions, possible duplicates, lease reclaims, rate-limit waits, run duration.
///
/// Built from a `MetricsFactory` (default: the global `MetricsSystem.factory`), so the runner stays
/// backend-agnostic and tests can pass their own registry. Names follow Prometheus conventions; labels
/// only take bounded values (outcome and error classes, HTTP status codes), never row or session ids.
/// The counters of every outcome exist from the start, so a scrape sees zeros rather than gaps.
package final class RunMetrics: Sendable {
    /// How one row's turn ended, as the `outcome` label of `idv_rows_total`.
    enum RowOutcome: String, Sendable, CaseIterable {
        /// A session was created (`run`, `rerun`): the only outcome counted in `idv_sessions_created_total`.
        case created
        /// A session was deleted at Yoti (`expire --delete-remote`).
        case deleted
        /// A session's state and outcome were fetched (`sync`).
        case fetched
        case failed, retry, released
        /// The result's lease had been lost (another worker owns the row): recorded in the ledger only.
        case leaseLost = "lease_lost"
    }

    /// Metric names, for backends and dashboards.
    package enum Name {
        package static let rows = "idv_rows_total"
        package static let attempts = "idv_attempts_total"
        package static let callDuration = "idv_call_duration_seconds"
        package static let sessionsCreated = "idv_sessions_created_total"
        package static let possibleDuplicates = "idv_possible_duplicates_total"
        package static let leasesReclaimed = "idv_leases_reclaimed_total"
        package static let rateLimitWaits = "idv_rate_limit_waits_total"
        package static let rateLimitWaitSeconds = "idv_rate_limit_wait_seconds_total"
        package static let runDuration = "idv_run_duration_seconds"
        package static let runExitCode = "idv_run_exit_code"
        /// In-Branch follow-through rows per step (`operation`) and `outcome`.
        package static let followThroughRows = "idv_follow_through_rows_total"
    }

    /// The `outcome` labels of `idv_follow_through_rows_total` per follow-through step (`operation`):
    /// the state a success moves the row to, then `failed`, `retry`, `released`.
    package static let followThroughOutcomes: [(operation: String, outcomes: [String])] = [
        (StepOperation.fetchIBVConfiguration.rawValue, ["configured"]),
        (StepOperation.putIBVInstructions.rawValue, ["sent"]),
        (StepOperation.ibvLetter.rawValue, ["letter_saved"]),
        (StepOperation.ibvEmail.rawValue, ["emailed"]),
    ].map { ($0.0, $0.1 + ["failed", "retry", "released"]) }

    /// Histogram buckets for `idv_call_duration_seconds`: 50 ms to 30 s (the default request timeout).
    /// A backend that takes buckets per metric (swift-prometheus's `durationHistogramBuckets`) should use these.
    package static let callDurationBuckets: [Duration] = [
        .milliseconds(50), .milliseconds(100), .milliseconds(250), .milliseconds(500), .seconds(1),
        .milliseconds(2500), .seconds(5), .seconds(10), .seconds(20), .seconds(30),
    ]

    /// Timer buckets by metric name, ready for `PrometheusMetricsFactory.durationHistogramBuckets`.
    package static let durationHistogramBuckets: [String: [Duration]] = [Name.callDuration: callDurationBuckets]

    private struct AttemptKey: Hashable {
        var outcomeClass: String
        var httpStatus: String
    }

    private let factory: any MetricsFactory
    private let rows: [RowOutcome: Counter]
    private let sessionsCreated: Counter
    private let possibleDuplicates: Counter
    private let leasesReclaimedCounter: Counter
    private let rateLimitWaits: Counter
    private let rateLimitWaitSeconds: FloatingPointCounter
    private let runDurationGauge: Gauge
    /// Attempt counters and timers are made on first use of a label set (bounded: classes × statuses).
    private let attemptMetrics = Mutex<[AttemptKey: Counter]>([:])
    private let callTimers = Mutex<[String: CoreMetrics.Timer]>([:])
    /// Follow-through counters by operation and outcome (all made up front: bounded, seen as zeros).
    private let followThroughRows: [String: Counter]

    /// Metrics recorded through `factory`.
    /// - Parameter factory: the swift-metrics backend; default the process-wide `MetricsSystem.factory`.
    package init(factory: any MetricsFactory = MetricsSystem.factory) {
        self.factory = factory
        var rows: [RowOutcome: Counter] = [:]
        for outcome in RowOutcome.allCases {
            rows[outcome] = Counter(label: Name.rows, dimensions: [("outcome", outcome.rawValue)], factory: factory)
        }
        self.rows = rows
        sessionsCreated = Counter(label: Name.sessionsCreated, factory: factory)
        possibleDuplicates = Counter(label: Name.possibleDuplicates, factory: factory)
        leasesReclaimedCounter = Counter(label: Name.leasesReclaimed, factory: factory)
        rateLimitWaits = Counter(label: Name.rateLimitWaits, factory: factory)
        rateLimitWaitSeconds = FloatingPointCounter(label: Name.rateLimitWaitSeconds, factory: factory)
        runDurationGauge = Gauge(label: Name.runDuration, factory: factory)
        var followThroughRows: [String: Counter] = [:]
        for (operation, outcomes) in Self.followThroughOutcomes {
            for outcome in outcomes {
                followThroughRows[operation + "/" + outcome] = Counter(
                    label: Name.followThroughRows, dimensions: [("operation", operation), ("outcome", outcome)],
                    factory: factory)
            }
        }
        self.followThroughRows = followThroughRows
    }

    /// Metrics that go nowhere (the swift-metrics no-op backend).
    package static var discarding: RunMetrics { RunMetrics(factory: NOOPMetricsHandler.instance) }

    /// Counts one row a step finished with success: its outcome is the step's ledger outcome
    /// (`created`, `deleted`, `fetched`); a step with another one counts as `created`.
    func rowSucceeded(successOutcome: String) {
        row(RowOutcome(rawValue: successOutcome) ?? .created)
    }

    /// Counts one row result.
    func row(_ outcome: RowOutcome) {
        rows[outcome]?.increment()
        if outcome == .created { sessionsCreated.increment() }
    }

    /// Counts one HTTP call and its duration.
    /// - Parameters:
    ///   - outcomeClass: the ledger outcome (`created`, `transient`, `rate_limited`, `permanent`,
    ///     `credentials`, `unknown_outcome`, `interrupted`).
    ///   - httpStatus: the answer's status; `nil` (no answer) is labelled `none`.
    func attempt(outcomeClass: String, httpStatus: Int?, duration: Duration) {
        let key = AttemptKey(outcomeClass: outcomeClass, httpStatus: httpStatus.map(String.init) ?? "none")
        let counter = attemptMetrics.withLock { counters in
            if let counter = counters[key] { return counter }
            let counter = Counter(
                label: Name.attempts, dimensions: [("class", key.outcomeClass), ("http_status", key.httpStatus)],
                factory: factory)
            counters[key] = counter
            return counter
        }
        counter.increment()
        let timer = callTimers.withLock { timers in
            if let timer = timers[outcomeClass] { return timer }
            let timer = CoreMetrics.Timer(
                label: Name.callDuration, dimensions: [("class", outcomeClass)], factory: factory)
            timers[outcomeClass] = timer
            return timer
        }
        timer.recordNanoseconds(duration.wholeNanoseconds)
    }

    /// Counts one row result of a follow-through step.
    /// - Parameters:
    ///   - operation: the step (`ibv_configuration`, `ibv_instructions`, `ibv_letter`, `ibv_email`).
    ///   - outcome: the success state (`configured`, `sent`, `letter_saved`, `emailed`), `failed`, `retry`
    ///     or `released`; anything else is not counted (the labels stay bounded).
    func followThroughRow(operation: StepOperation, outcome: String) {
        followThroughRows[operation.rawValue + "/" + outcome]?.increment()
    }

    /// Counts a result whose outcome is unknown: a session may exist at Yoti.
    func possibleDuplicate() { possibleDuplicates.increment() }

    /// Counts rows of dead workers put back to pending.
    func leasesReclaimed(_ count: Int) { leasesReclaimedCounter.increment(by: count) }

    /// Counts one send that waited for the shared rate limit or a 429 pause, and how long.
    func rateLimitWait(_ waited: Duration) {
        rateLimitWaits.increment()
        rateLimitWaitSeconds.increment(by: max(0, waited.secondsDouble))
    }

    /// Sets the run's duration so far (updated while running, final at the end).
    func runDuration(_ elapsed: Duration) { runDurationGauge.record(elapsed.secondsDouble) }

    /// Records the run's end: its duration and exit code (the exit code gauge exists only once a run ended).
    func runFinished(duration: Duration, exitCode: Int32) {
        runDuration(duration)
        recordExitCode(exitCode)
    }

    /// Sets `idv_run_exit_code`: the command's exit code when it differs from the summary's (143 for SIGTERM).
    package func recordExitCode(_ exitCode: Int32) {
        Gauge(label: Name.runExitCode, factory: factory).record(Int64(exitCode))
    }
}

extension Duration {
    /// Whole nanoseconds (saturating), for swift-metrics timers.
    var wholeNanoseconds: Int64 {
        let (seconds, attoseconds) = components
        let (product, overflow) = seconds.multipliedReportingOverflow(by: 1_000_000_000)
        guard !overflow else { return seconds < 0 ? .min : .max }
        return product.addingReportingOverflow(attoseconds / 1_000_000_000).partialValue
    }
}
