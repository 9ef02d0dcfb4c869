import CoreMetrics

/// What `purge` reports through swift-metrics: personal data removed per kind, letter files, remote deletes,
/// and `idv_personal_data_overdue_rows` (rows past their policy and not yet purged: 0 when purge keeps up).
/// Labels take only bounded values (kinds, outcomes); never a row's data.
package final class RetentionMetrics: Sendable {
    /// Metric names, for backends and dashboards.
    package enum Name {
        package static let purged = "idv_purge_rows_total"
        package static let letters = "idv_purge_letters_total"
        package static let remoteDeletes = "idv_purge_remote_deletes_total"
        package static let duration = "idv_purge_duration_seconds"
        package static let exitCode = "idv_purge_exit_code"
        package static let overdue = "idv_personal_data_overdue_rows"
    }

    private let factory: any MetricsFactory
    private let purged: [String: Counter]
    private let letters: [String: Counter]

    /// Metrics recorded through `factory` (default: the process-wide `MetricsSystem.factory`).
    package init(factory: any MetricsFactory = MetricsSystem.factory) {
        self.factory = factory
        var purged: [String: Counter] = [:]
        for kind in RetentionPolicy.Kind.allCases {
            purged[kind.rawValue] = Counter(label: Name.purged, dimensions: [("kind", kind.rawValue)], factory: factory)
        }
        self.purged = purged
        var letters: [String: Counter] = [:]
        for outcome in ["deleted", "missing", "failed"] {
            letters[outcome] = Counter(label: Name.letters, dimensions: [("outcome", outcome)], factory: factory)
        }
        self.letters = letters
    }

    func purged(_ kind: RetentionPolicy.Kind, count: Int) { purged[kind.rawValue]?.increment(by: count) }

    func letter(_ outcome: String, count: Int) { letters[outcome]?.increment(by: count) }

    func remoteDeleted(_ status: String, count: Int) {
        Counter(label: Name.remoteDeletes, dimensions: [("outcome", status)], factory: factory).increment(by: count)
    }

    func overdue(_ rows: Int) { Gauge(label: Name.overdue, factory: factory).record(Int64(rows)) }

    func finished(duration: Duration, exitCode: Int32) {
        Gauge(label: Name.duration, factory: factory).record(duration.secondsDouble)
        recordExitCode(exitCode)
    }

    /// Sets `idv_purge_exit_code` (also when the purge failed before finishing).
    package func recordExitCode(_ exitCode: Int32) {
        Gauge(label: Name.exitCode, factory: factory).record(Int64(exitCode))
    }
}
