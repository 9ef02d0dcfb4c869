import CoreMetrics

/// What `expire` reports through swift-metrics: rows expired, remote deletes by outcome, sweep duration.
///
/// Built from a `MetricsFactory` (default: the global `MetricsSystem.factory`); labels take only the
/// bounded `remote_delete_status` values. Dry runs and skipped sweeps record nothing but the duration.
package final class ExpiryMetrics: Sendable {
    /// Metric names, for backends and dashboards.
    package enum Name {
        package static let rowsExpired = "idv_expiry_rows_expired_total"
        package static let remoteDeletes = "idv_expiry_remote_deletes_total"
        package static let sweepDuration = "idv_expiry_sweep_duration_seconds"
        package static let exitCode = "idv_expiry_exit_code"
    }

    private let factory: any MetricsFactory
    private let rowsExpired: Counter
    private let remoteDeletes: [String: Counter]

    /// Metrics recorded through `factory`.
    /// - Parameter factory: the swift-metrics backend; default the process-wide `MetricsSystem.factory`.
    package init(factory: any MetricsFactory = MetricsSystem.factory) {
        self.factory = factory
        rowsExpired = Counter(label: Name.rowsExpired, factory: factory)
        let outcomes: [RemoteDeleteOutcome] = [
            .deleted, .notFound, .conflict, .transient, .failed, .credentials, .deferredOngoing,
        ]
        var remoteDeletes: [String: Counter] = [:]
        for outcome in outcomes {
            remoteDeletes[outcome.status] = Counter(
                label: Name.remoteDeletes, dimensions: [("outcome", outcome.status)], factory: factory)
        }
        self.remoteDeletes = remoteDeletes
    }

    /// Counts rows moved `created` → `expired`.
    func expired(_ count: Int) { rowsExpired.increment(by: count) }

    /// Counts one `DELETE /sessions/{id}` by its outcome.
    func remoteDeleted(_ status: String, count: Int) { remoteDeletes[status]?.increment(by: count) }

    /// Records the sweep's end: duration and exit code.
    func sweepFinished(duration: Duration, exitCode: Int32) {
        Gauge(label: Name.sweepDuration, factory: factory).record(duration.secondsDouble)
        recordExitCode(exitCode)
    }

    /// Sets `idv_expiry_exit_code` (also when the sweep failed before finishing, e.g. exit 3).
    package func recordExitCode(_ exitCode: Int32) {
        Gauge(label: Name.exitCode, factory: factory).record(Int64(exitCode))
    }
}
