import Foundation
import IDVRunner

/// How to run rows, every setting optional: what a job file's `run:` section or the command line
/// says. ``overriding(_:)`` layers the command line over a file; ``apply(to:now:)`` turns the result
/// into a ``RunnerConfiguration`` (whose defaults fill what nobody set).
package struct RunSettings: Sendable, Hashable {
    /// Batches to process (`run` only; `rerun` takes its batch as an argument).
    package var batches: [String]?
    package var concurrency: Int?
    package var maxAttempts: Int?
    /// `retry` or `fail`.
    package var onUnknown: String?
    /// Requests per second per batch.
    package var rate: Double?
    package var maxSessions: Int?
    /// ISO 8601 instant or a duration from now (`6h`, `90m`).
    package var deadline: String?
    /// Seconds.
    package var gracePeriod: Double?
    /// Seconds.
    package var leaseSeconds: Double?
    /// Seconds one Yoti call may take.
    package var requestTimeout: Double?
    /// Refuse specs with values unknown in an open vocabulary (`--strict`, `run.strict`); default false.
    package var strict: Bool?
    /// Where In-Branch letters go: a directory, or `email` (Yoti emails them). Default `email`.
    package var letters: String?
    /// `false`: `run` creates sessions only, without the In-Branch follow-through. Default `true`.
    package var followThrough: Bool?
    /// Logging and metrics: `log_level`, `log_format`, `metrics_file`, `metrics_interval`.
    package var observability = ObservabilitySettings()

    /// trace, debug, info, notice, warning, error, critical (``observability``'s `logLevel`).
    package var logLevel: String? {
        get { observability.logLevel }
        set { observability.logLevel = newValue }
    }

    /// Settings with nothing set.
    package init() {}

    /// These settings layered over `base`: every value set here wins, the rest come from `base`
    /// (the command line over a job file).
    package func overriding(_ base: RunSettings) -> RunSettings {
        var merged = self
        merged.batches = batches ?? base.batches
        merged.concurrency = concurrency ?? base.concurrency
        merged.maxAttempts = maxAttempts ?? base.maxAttempts
        merged.onUnknown = onUnknown ?? base.onUnknown
        merged.rate = rate ?? base.rate
        merged.maxSessions = maxSessions ?? base.maxSessions
        merged.deadline = deadline ?? base.deadline
        merged.gracePeriod = gracePeriod ?? base.gracePeriod
        merged.leaseSeconds = leaseSeconds ?? base.leaseSeconds
        merged.requestTimeout = requestTimeout ?? base.requestTimeout
        merged.strict = strict ?? base.strict
        merged.letters = letters ?? base.letters
        merged.followThrough = followThrough ?? base.followThrough
        merged.observability = observability.overriding(base.observability)
        return merged
    }

    /// A runner configuration for `batches` with these settings over ``RunnerConfiguration``'s defaults.
    /// - Parameters:
    ///   - batches: overrides ``batches`` when given (`rerun` passes its one batch).
    ///   - now: the moment a duration deadline counts from.
    /// - Throws: ``OperationError`` `.usage` naming the setting that is unusable and what it accepts.
    package func runnerConfiguration(batches override: [String]? = nil, now: Date = Date()) throws
        -> RunnerConfiguration
    {
        func usage(_ message: String) -> OperationError { OperationError(code: .usage, message: message) }
        let timeout = requestTimeout ?? 30
        guard timeout > 0, timeout.isFinite else {
            throw usage("--request-timeout must be a positive number of seconds")
        }
        var configuration = RunnerConfiguration(
            batches: override ?? batches ?? [], concurrency: concurrency ?? 32, requestTimeout: .seconds(timeout))
        if let concurrency, concurrency < 1 { throw usage("--concurrency must be at least 1") }
        if let maxAttempts { configuration.maxAttempts = maxAttempts }
        if let onUnknown {
            guard let policy = RunnerConfiguration.UnknownOutcomePolicy(rawValue: onUnknown) else {
                throw usage("--on-unknown must be retry or fail, not \"\(onUnknown)\"")
            }
            configuration.onUnknown = policy
        }
        configuration.rate = rate
        configuration.strictValidation = strict ?? false
        configuration.maxSessions = maxSessions
        if let deadline {
            guard let date = RunDeadline.parse(deadline, now: now) else {
                throw usage(
                    "--deadline \"\(deadline)\" is neither ISO 8601 (2026-11-22T06:00:00Z) nor a duration (6h, 90m, 1h30m)"
                )
            }
            configuration.deadline = date
        }
        if let gracePeriod { configuration.gracePeriod = .seconds(gracePeriod) }
        if let leaseSeconds { configuration.leaseDuration = .seconds(leaseSeconds) }
        if let letters, letters.trimmingCharacters(in: .whitespaces).isEmpty {
            throw usage("--letters must be a directory for the In-Branch letters, or email (the default), not empty")
        }
        configuration.followThrough = followThrough == false ? nil : letterDelivery
        let problems = configuration.validationProblems()
        guard problems.isEmpty else {
            // The command line's words: `--max-attempts must be at least 1`.
            throw usage(
                problems.map { "--\($0.setting.replacingOccurrences(of: "_", with: "-")) \($0.requirement)" }
                    .joined(separator: "; "))
        }
        return configuration
    }

    /// ``letters`` as a delivery: `email` (the default), else a directory (relative to the working directory).
    package var letterDelivery: LetterDelivery {
        guard let letters, letters != "email" else { return .email }
        return .save(directory: URL(fileURLWithPath: letters, isDirectory: true))
    }
}
