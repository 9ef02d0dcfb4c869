import Foundation

/// What this run has done so far, updated by the window loop and read by the progress reporter.
struct RunCounters: Sendable, Hashable {
    /// Rows runnable (pending or in progress) in the selection when the run started.
    var total = 0
    /// HTTP calls started.
    var callsStarted = 0
    var created = 0
    var failed = 0
    var retriesScheduled = 0
    var rateLimited = 0
    var released = 0
    var unknownOutcomes = 0
    var leasesReclaimed = 0
    var claimRoundTrips = 0
    var rowsClaimed = 0
    /// Results by error class (failed or retried rows).
    var errorsByClass: [String: Int] = [:]

    /// Rows that reached an end state in this run.
    var done: Int { created + failed }
    /// Failures of any kind seen this run (for the progress line).
    var errors: Int { errorsByClass.values.reduce(0, +) }
}
