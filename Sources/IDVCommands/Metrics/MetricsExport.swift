import CoreMetrics
import Foundation
import IDVLogging
import IDVRunner
import Logging
import Prometheus
import Synchronization

/// The Prometheus side of `--metrics-file`: a registry of this command's own, the swift-metrics
/// factory writing into it, and the atomic file writer. Without a path, metrics go nowhere.
struct MetricsExport: Sendable {
    /// The swift-metrics backend to build ``RunMetrics`` / ``ExpiryMetrics`` from.
    let factory: any MetricsFactory
    private let writer: MetricsFileWriter?
    private let interval: Duration
    /// The last-success gauge's value: carried over from the file a previous run left, set at a success.
    private let lastSuccess: LastSuccess

    /// Seconds since the epoch of the last success (0 = none known), shared with the render closure.
    final class LastSuccess: Sendable {
        let seconds: Mutex<Double>
        init(_ seconds: Double) { self.seconds = Mutex(seconds) }
    }

    private init(factory: any MetricsFactory, writer: MetricsFileWriter?, interval: Duration, lastSuccess: LastSuccess)
    {
        self.factory = factory
        self.writer = writer
        self.interval = interval
        self.lastSuccess = lastSuccess
    }

    /// Sets up the export and writes the file once, so a bad path fails before any work is done.
    /// - Throws: ``CommandFailure`` (exit 2) for a bad interval; ``OperationError`` `.usage` (exit 2)
    ///   naming an unwritable path.
    /// - Parameter lastSuccessMetric: the gauge recording when the command last exited 0
    ///   (`idv_run_last_success_timestamp_seconds`, or `idv_expiry_…` for `expire`).
    static func prepare(
        _ settings: ObservabilitySettings, lastSuccessMetric: String = MetricsHelp.runLastSuccess
    ) async throws -> MetricsExport {
        let settings = settings.withEnvironment()
        let seconds = settings.metricsInterval ?? 15
        guard seconds >= 1, seconds.isFinite else {
            throw CommandFailure(exitCode: 2, message: "--metrics-interval must be at least 1 second")
        }
        guard let path = settings.metricsFile else {
            return MetricsExport(
                factory: NOOPMetricsHandler.instance, writer: nil, interval: .seconds(seconds),
                lastSuccess: LastSuccess(0))
        }
        if let instance = settings.metricsInstance, instance.isEmpty {
            throw CommandFailure(exitCode: 2, message: "--metrics-instance must not be empty")
        }
        guard !path.isEmpty else { throw CommandFailure(exitCode: 2, message: "--metrics-file must not be empty") }
        let registry = PrometheusCollectorRegistry()
        var factory = PrometheusMetricsFactory(registry: registry)
        factory.durationHistogramBuckets = RunMetrics.durationHistogramBuckets
        let annotator = PrometheusTextAnnotator(instance: settings.metricsInstance)
        // A failed run rewrites the file too: the last success must survive it.
        let previous = (try? String(contentsOfFile: path, encoding: .utf8)).flatMap {
            annotator.value(of: lastSuccessMetric, in: $0)
        }
        let lastSuccess = LastSuccess(previous ?? 0)
        let writer = MetricsFileWriter(path: path) {
            let seconds = lastSuccess.seconds.withLock { $0 }
            return annotator.annotate(
                registry.emitToBuffer(), gauges: [.init(name: lastSuccessMetric, value: seconds)])
        }
        try await writer.prepare()
        return MetricsExport(factory: factory, writer: writer, interval: .seconds(seconds), lastSuccess: lastSuccess)
    }

    /// Runs `body` while writing the file at once and every interval, then records the exit code through
    /// `exitCode` and writes the file a last time, whether `body` returned or threw.
    func around(
        logger: Logger, exitCode: @escaping @Sendable (Int32) -> Void, _ body: () async throws -> Int32
    ) async throws -> Int32 {
        guard let writer else { return try await body() }
        // The start-up check wrote before the metrics existed: write them now at zero.
        try? await writer.write()
        let periodic = Task { await writer.writePeriodically(every: interval, logger: logger) }
        let outcome = await Result(catching: body)
        periodic.cancel()
        await periodic.value
        switch outcome {
        case .success(let code):
            exitCode(code)
            if code == 0 { lastSuccess.seconds.withLock { $0 = Date().timeIntervalSince1970.rounded(.down) } }
        case .failure(let error): exitCode(CommandFailure(error).exitCode)
        }
        do {
            try await writer.write()
        } catch {
            logger.error(
                "Could not write the metrics file", metadata: [LogKey.path: "\(writer.path)", LogKey.error: "\(error)"])
        }
        return try outcome.get()
    }
}
