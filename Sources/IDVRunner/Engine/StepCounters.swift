import Foundation
import YotiClient

/// What this run of a step has done so far, updated by the window loop and read by the progress reporter.
struct StepCounters: Sendable, Hashable {
    /// Rows of the selection waiting for the step (or in progress) when the run started.
    var total = 0
    /// Calls started.
    var callsStarted = 0
    var succeeded = 0
    var failed = 0
    var retriesScheduled = 0
    var rateLimited = 0
    var released = 0
    var unknownOutcomes = 0
    var leasesReclaimed = 0
    var claimRoundTrips = 0
    /// Seconds the calls took, from handing the request to the HTTP client to its answer (or failure).
    var callSeconds = 0.0
    /// Results by error class (failed or retried rows).
    var errorsByClass: [ErrorClass: Int] = [:]
    /// Results by the step's own label (``StepRecord/label``).
    var byLabel: [String: Int] = [:]

    /// Rows that reached an end state in this run.
    var done: Int { succeeded + failed }
    /// Failures of any kind seen this run (for the progress line).
    var errors: Int { errorsByClass.values.reduce(0, +) }
}
