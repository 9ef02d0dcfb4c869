import CoreMetrics

/// What `sync` reports through swift-metrics, besides the engine's call metrics (``RunMetrics``, which
/// count its `session_result` calls): results fetched by Yoti state, completed sessions by overall
/// recommendation, fetches failed for good, rows notified and stale. Labels take only bounded values:
/// the known states and recommendations (anything else is counted as `other`).
package final class SyncMetrics: Sendable {
    /// Metric names, for backends and dashboards.
    package enum Name {
        package static let results = "idv_sync_results_total"
        package static let recommendations = "idv_sync_completed_total"
        package static let failed = "idv_sync_failed_total"
        package static let wanted = "idv_sync_wanted_rows"
        package static let notificationsSettled = "idv_sync_notifications_settled_total"
        package static let exitCode = "idv_sync_exit_code"
    }

    static let states = ["ONGOING", "COMPLETED", "EXPIRED", SessionResult.notFound, "other"]
    static let recommendations = ["APPROVE", "REJECT", "NOT_AVAILABLE", "other"]

    private let factory: any MetricsFactory

    /// Metrics recorded through `factory` (default the process-wide `MetricsSystem.factory`).
    package init(factory: any MetricsFactory = MetricsSystem.factory) {
        self.factory = factory
    }

    /// Records a finished sync's report.
    package func record(_ report: ResultSync.Report) {
        for (state, count) in report.checkedByState {
            let label = Self.states.contains(state) ? state : "other"
            Counter(label: Name.results, dimensions: [("state", label)], factory: factory).increment(by: count)
        }
        for (value, count) in report.completedByRecommendation {
            let label = Self.recommendations.contains(value) ? value : "other"
            Counter(label: Name.recommendations, dimensions: [("recommendation", label)], factory: factory)
                .increment(by: count)
        }
        Counter(label: Name.failed, factory: factory).increment(by: report.failed)
        Gauge(label: Name.wanted, dimensions: [("reason", "notified")], factory: factory).record(report.wantedNotified)
        Gauge(label: Name.wanted, dimensions: [("reason", "stale")], factory: factory).record(report.wantedStale)
        Counter(label: Name.notificationsSettled, factory: factory).increment(by: report.notificationsSettled)
    }

    /// Sets `idv_sync_exit_code` (also when the sync failed before finishing).
    package func recordExitCode(_ exitCode: Int32) {
        Gauge(label: Name.exitCode, factory: factory).record(Int64(exitCode))
    }
}
