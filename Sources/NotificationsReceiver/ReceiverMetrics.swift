import CoreMetrics
import Prometheus

/// What the receiver reports on `/metrics` (Prometheus text): notifications accepted and replayed,
/// requests rejected by reason, 503s while the database is away, and how long answering took.
///
/// Labels take bounded values only (outcomes and reasons), never session ids. Every counter exists
/// from the start, so a scrape sees zeros rather than gaps.
package final class ReceiverMetrics: Sendable {
    /// Metric names, for dashboards and alerts.
    package enum Name {
        /// `outcome`: accepted (a new row) or duplicate (a replay, counted on the stored row).
        package static let received = "idv_notifications_received_total"
        /// Stored notifications whose topic Yoti does not document (yet).
        package static let unknownTopics = "idv_notifications_unknown_topic_total"
        /// `reason`: unauthorized (401), bad_request (400), too_large (413), method (405), not_found (404).
        package static let rejected = "idv_notifications_rejected_total"
        /// 503 answers: the database could not store the notification; Yoti retries.
        package static let unavailable = "idv_notifications_unavailable_total"
        /// Connections answered 503 and closed because the connection cap was reached.
        package static let connectionsRefused = "idv_notifications_connections_refused_total"
        /// Seconds from a notification request's arrival to its answer (every outcome).
        package static let duration = "idv_notifications_request_duration_seconds"
    }

    /// Why a request was rejected, as the `reason` label.
    enum Rejection: String, CaseIterable, Sendable {
        case unauthorized
        case badRequest = "bad_request"
        case tooLarge = "too_large"
        case method
        case notFound = "not_found"
    }

    /// Histogram buckets of ``Name/duration``: 1 ms to 5 s.
    static let durationBuckets: [Duration] = [
        .milliseconds(1), .milliseconds(2), .milliseconds(5), .milliseconds(10), .milliseconds(25),
        .milliseconds(50), .milliseconds(100), .milliseconds(250), .milliseconds(500), .seconds(1), .seconds(5),
    ]

    private let registry: PrometheusCollectorRegistry
    private let accepted: CoreMetrics.Counter
    private let duplicates: CoreMetrics.Counter
    private let unknownTopics: CoreMetrics.Counter
    private let rejections: [Rejection: CoreMetrics.Counter]
    private let unavailable: CoreMetrics.Counter
    private let refusedConnections: CoreMetrics.Counter
    private let duration: CoreMetrics.Timer

    /// Metrics in a registry of their own (this process serves only these).
    package init() {
        registry = PrometheusCollectorRegistry()
        var factory = PrometheusMetricsFactory(registry: registry)
        factory.durationHistogramBuckets = [Name.duration: Self.durationBuckets]
        accepted = CoreMetrics.Counter(label: Name.received, dimensions: [("outcome", "accepted")], factory: factory)
        duplicates = CoreMetrics.Counter(label: Name.received, dimensions: [("outcome", "duplicate")], factory: factory)
        unknownTopics = CoreMetrics.Counter(label: Name.unknownTopics, factory: factory)
        var rejected: [Rejection: CoreMetrics.Counter] = [:]
        for reason in Rejection.allCases {
            rejected[reason] = CoreMetrics.Counter(
                label: Name.rejected, dimensions: [("reason", reason.rawValue)], factory: factory)
        }
        self.rejections = rejected
        unavailable = CoreMetrics.Counter(label: Name.unavailable, factory: factory)
        refusedConnections = CoreMetrics.Counter(label: Name.connectionsRefused, factory: factory)
        duration = CoreMetrics.Timer(label: Name.duration, factory: factory)
    }

    func stored(_ outcome: NotificationInbox.Outcome, knownTopic: Bool) {
        switch outcome {
        case .inserted: accepted.increment()
        case .replayed: duplicates.increment()
        }
        if !knownTopic { unknownTopics.increment() }
    }

    func rejected(_ reason: Rejection) { rejections[reason]?.increment() }
    func unavailableAnswered() { unavailable.increment() }
    func connectionRefused() { refusedConnections.increment() }
    func answered(after elapsed: Duration) { duration.recordNanoseconds(elapsed.nanoseconds) }

    /// The Prometheus text exposition of every metric.
    package func render() -> String {
        registry.emitToString()
    }
}

extension Duration {
    /// Whole nanoseconds (saturating).
    var nanoseconds: Int64 {
        let (seconds, attoseconds) = components
        return seconds.multipliedReportingOverflow(by: 1_000_000_000).overflow
            ? .max : seconds * 1_000_000_000 + attoseconds / 1_000_000_000
    }
}
