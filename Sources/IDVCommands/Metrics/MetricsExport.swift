import CoreMetrics
import Foundation
import IDVLogging
import IDVRunner
import Logging
import Prometheus

/// The Prometheus side of `--metrics-file`: a registry of this command's own, the swift-metrics
/// factory writing into it, and the atomic file writer. Without a path, metrics go nowhere.
struct MetricsExport: Sendable {
    /// The swift-metrics backend to build ``RunMetrics`` / ``ExpiryMetrics`` from.
    let factory: any MetricsFactory
    private let writer: MetricsFileWriter?
    private let interval: Duration

    /// Sets up the export and writes the file once, so a bad path fails before any work is done.
    /// - Throws: ``CommandFailure`` (exit 2) for a bad interval; ``OperationError`` `.usage` (exit 2)
    ///   naming an unwritable path.
    static func prepare(_ settings: ObservabilitySettings) async throws -> MetricsExport {
        let seconds = settings.metricsInterval ?? 15
        guard seconds >= 1, seconds.isFinite else {
            throw CommandFailure(exitCode: 2, message: "--metrics-interval must be at least 1 second")
        }
        guard let path = settings.metricsFile else {
            return MetricsExport(factory: NOOPMetricsHandler.instance, writer: nil, interval: .seconds(seconds))
        }
        guard !path.isEmpty else { throw CommandFailure(exitCode: 2, message: "--metrics-file must not be empty") }
        let registry = PrometheusCollectorRegistry()
        var factory = PrometheusMetricsFactory(registry: registry)
        factory.durationHistogramBuckets = RunMetrics.durationHistogramBuckets
        let writer = MetricsFileWriter(path: path) { registry.emitToBuffer() }
        try await writer.prepare()
        return MetricsExport(factory: factory, writer: writer, interval: .seconds(seconds))
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
        case .success(let code): exitCode(code)
        case .failure(let error): exitCode(CommandFailure(error).exitCode)
        }
        do {
            try await writer.write()
        } catch {
            logger.error("Could not write the metrics file", metadata: [LogKey.path: "\(writer.path)", LogKey.error: "\(error)"])
        }
        return try outcome.get()
    }
}
