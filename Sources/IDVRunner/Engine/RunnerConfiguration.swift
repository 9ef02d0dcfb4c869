import Foundation
import YotiAPI

/// Everything one `idv-batch run` needs to know, loaded once at start-up.
///
/// Essentials go through `init`; every knob has a documented default. A job file (a later issue)
/// produces the same value, so the runner does not care where its settings came from.
package struct RunnerConfiguration: Sendable {
    /// What to do with a call whose outcome is unknown (timeout or reset after the request was sent).
    package struct UnknownOutcomePolicy: Sendable, Hashable, CustomStringConvertible {
        fileprivate enum Base: String, Sendable, Hashable { case retry, fail }
        fileprivate let base: Base

        /// Retry the row (counts as an attempt). The row and ledger are flagged `possible_duplicate`.
        package static let retry = UnknownOutcomePolicy(base: .retry)
        /// Fail the row at once with error class `unknown_outcome`, for a person to check at Yoti.
        package static let fail = UnknownOutcomePolicy(base: .fail)

        /// Parses `retry` or `fail` (the CLI's spelling).
        package init?(rawValue: String) {
            guard let base = Base(rawValue: rawValue.lowercased()) else { return nil }
            self.base = base
        }
        private init(base: Base) { self.base = base }

        package var description: String { base.rawValue }
    }

    /// Batches to process; empty means every batch with runnable rows.
    package var batches: [String]
    /// Calls in flight at most (the sliding window). Default 32.
    package var concurrency: Int
    /// Counted attempts before a row is failed (429s and rejected credentials do not count). Default 6.
    package var maxAttempts: Int
    /// Unknown outcomes: `.retry` (default) or `.fail`.
    package var onUnknown: UnknownOutcomePolicy
    /// Requests per second per batch, shared by every worker of the batch; `nil` = unlimited (default).
    package var rate: Double?
    /// Timeout of one HTTP call; used to size the lease. Default 30 s (the client's default).
    package var requestTimeout: Duration
    /// How long a claim is valid without renewal; default `max(120 s, 3 × requestTimeout)`.
    /// The runner renews live leases every third of this, so it bounds how long a dead worker's rows wait.
    package var leaseDuration: Duration
    /// Retry delays; default `.exponentialJitter(base: 1 s, cap: 300 s)`.
    package var backoff: Backoff
    /// Stop claiming at this moment; the run then ends with exit 4 if work is left. Default none.
    package var deadline: Date?
    /// Never start more calls than this many sessions minus those created this run and in flight. Default none.
    package var maxSessions: Int?
    /// Validate every selected pending row's spec and report; claim and call nothing. Default false.
    package var dryRun: Bool
    /// How long in-flight calls may finish after a shutdown request before they are cancelled. Default 30 s.
    package var gracePeriod: Duration
    /// This worker's name in leases and the runs table. Default `host:pid:random`.
    package var workerID: String
    /// Time source for stamps, backoff and pacing. Default `.system`.
    package var clock: RunnerClock
    /// Every how often expired leases (dead workers) are put back to pending. Default 5 s.
    package var leaseSweepInterval: Duration
    /// Results waiting to be written back beyond which a finished call waits for the write-back (group commit
    /// writes each result as soon as the statement before it finished; this only bounds memory when the
    /// database is slower than the calls). Default 512.
    package var writeBackHighWater: Int
    /// Every how often the non-TTY progress line is logged. Default 5 s.
    package var progressInterval: Duration
    /// Refuse a spec with a value unknown in an open vocabulary (`--strict`, job file `run.strict`)
    /// instead of sending it with a warning. Default false: Yoti adds values and decides.
    package var strictValidation: Bool
    /// Where the run's metrics go. Default: the global `MetricsSystem.factory` (a no-op until bootstrapped).
    package var metrics: RunMetrics
    /// After creation, the In-Branch follow-through (configuration, instructions, letter) of the
    /// selection's created In-Branch rows, with letters delivered so. Default `nil`: creation only.
    package var followThrough: LetterDelivery? = nil
    /// The keyed pseudonym sent as `user_tracking_id` in place of `external_ref` (`--tracking-id-key-file`).
    /// Default `nil`: the `external_ref` itself, as Yoti's SDK examples do.
    package var trackingIDPseudonym: UserTrackingPseudonym? = nil

    /// A configuration with the defaults listed on each property.
    /// - Parameters:
    ///   - batches: batch ids to process (`[]` = all).
    ///   - concurrency: calls in flight (default 32, at least 1).
    ///   - requestTimeout: the Yoti client's request timeout (default 30 s), to size the lease.
    package init(batches: [String] = [], concurrency: Int = 32, requestTimeout: Duration = .seconds(30)) {
        self.batches = batches
        self.concurrency = max(1, concurrency)
        self.maxAttempts = 6
        self.onUnknown = .retry
        self.rate = nil
        self.requestTimeout = requestTimeout
        self.leaseDuration = Self.defaultLeaseDuration(requestTimeout: requestTimeout)
        self.backoff = .exponentialJitter()
        self.deadline = nil
        self.maxSessions = nil
        self.dryRun = false
        self.gracePeriod = .seconds(30)
        self.workerID = Self.defaultWorkerID()
        self.clock = .system
        self.leaseSweepInterval = .seconds(5)
        self.writeBackHighWater = 512
        self.progressInterval = .seconds(5)
        self.metrics = RunMetrics()
        self.strictValidation = false
    }

    /// `max(120 s, 3 × requestTimeout)`: long enough that a slow but alive call never loses its row.
    package static func defaultLeaseDuration(requestTimeout: Duration) -> Duration {
        max(.seconds(120), requestTimeout * 3)
    }

    /// `host:pid:random` — unique per process, readable in `idv.runs` and lease owners.
    package static func defaultWorkerID() -> String {
        let host = ProcessInfo.processInfo.hostName
        let pid = ProcessInfo.processInfo.processIdentifier
        let random = String(UInt32.random(in: 0...UInt32.max), radix: 36)
        return "\(host):\(pid):\(random)"
    }

    /// Claim when at least this many slots are free (or whenever nothing is in flight):
    /// `max(1, concurrency / 16)`, which keeps claim round trips to one per few finished calls.
    package var claimThreshold: Int { max(1, concurrency / 16) }

    /// Rows claimed ahead of free slots: `4 × claimThreshold` from a concurrency of 16 up, none below. A claim
    /// (which runs beside the window) then goes out while `3 × claimThreshold` rows still wait ready, so its
    /// round trip overlaps calls instead of leaving slots idle, even when a busy server takes a few
    /// milliseconds to answer it (figure 1a). Their leases are held a few milliseconds longer; a stop gives
    /// them back unsent, like any row whose call had not started.
    package var claimPrefetch: Int { concurrency >= 16 ? 4 * claimThreshold : 0 }

    /// A setting that makes the configuration unusable.
    package struct Problem: Sendable, Hashable, CustomStringConvertible {
        /// The setting, as a job file spells it (`max_attempts`); the command line's flag is its kebab case.
        package var setting: String
        /// What it must be (`must be at least 1`).
        package var requirement: String

        /// `max_attempts must be at least 1`.
        package var description: String { "\(setting) \(requirement)" }
    }

    /// Problems that make the configuration unusable, each naming the setting and what it must be.
    package func validationProblems() -> [Problem] {
        var problems: [Problem] = []
        func problem(_ setting: String, _ requirement: String) {
            problems.append(Problem(setting: setting, requirement: requirement))
        }
        if concurrency < 1 { problem("concurrency", "must be at least 1") }
        if maxAttempts < 1 { problem("max_attempts", "must be at least 1") }
        if let rate, !(rate > 0 && rate.isFinite) {
            problem("rate", "must be a positive number of requests per second")
        }
        if let maxSessions, maxSessions < 0 { problem("max_sessions", "must be zero or more") }
        if leaseDuration < .seconds(2) { problem("lease_seconds", "must be at least 2") }
        if gracePeriod < .zero { problem("grace_period", "must not be negative") }
        if batches.contains(where: \.isEmpty) { problem("batch", "must not be empty") }
        return problems
    }
}
