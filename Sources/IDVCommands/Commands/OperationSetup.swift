import Foundation
import IDVLogging
import IDVRunner
import Logging
import PostgresClient
import YotiClient

/// What `run`, `instructions`, `sync` and `rerun` set up alike before any work: the settings (command line
/// over job file over ``RunnerConfiguration``'s defaults), the runner configuration with its metrics, the
/// logger, the metrics export, and — in ``withPool(_:exitCode:_:)`` — the database pool and the Yoti client.
struct OperationSetup: Sendable {
    let settings: RunSettings
    let configuration: RunnerConfiguration
    /// The process environment with the job file's `environment_file` over it.
    let environment: [String: String]
    let logger: Logger
    let format: LogFormat
    let export: MetricsExport
    /// The run metrics (`configuration.metrics`); they also record the exit code unless told otherwise.
    let runMetrics: RunMetrics

    /// - Parameters:
    ///   - job: the loaded job file, if any.
    ///   - tuning, logging, metrics, batches: the command line's settings (`--batch`: `batches`), layered over
    ///     the job file's `run` section.
    ///   - selection: the batches when the command fixes them (`rerun <batch>`); `nil`: the settings'.
    ///   - trackingID: `run` and `rerun`: the key of the pseudonymous `user_tracking_id`, if one is set.
    ///   - label: the logger label (`idv-batch.run`).
    ///   - lastSuccessMetric: the gauge recording when the command last exited 0.
    /// - Throws: ``CommandFailure`` / ``OperationError`` `.usage` for bad settings; `JobFileError`.
    init(
        job: JobFile?, tuning: RunTuningOptions, logging: LogOptions, metrics: MetricsOptions, batches: [String] = [],
        selection: [String]? = nil, trackingID: TrackingIDOptions? = nil, label: String,
        lastSuccessMetric: String = MetricsHelp.runLastSuccess
    ) async throws {
        environment = try JobOption.environment(for: job)
        var flags = tuning.settings
        flags.observability = logging.settings(metrics: metrics)
        if !batches.isEmpty { flags.batches = batches }
        settings = flags.overriding(job?.run ?? RunSettings())
        var configuration = try settings.runnerConfiguration(batches: selection)
        configuration.trackingIDPseudonym = try trackingID?.pseudonym(environment: environment)
        (logger, format) = try CommandLogger.make(label: label, settings: settings.observability)
        export = try await MetricsExport.prepare(settings.observability, lastSuccessMetric: lastSuccessMetric)
        runMetrics = RunMetrics(factory: export.factory)
        configuration.metrics = runMetrics
        self.configuration = configuration
    }

    /// How the operation shows its progress: a live line on a text terminal, else a log line every interval.
    var progressMode: ProgressReporter.Mode {
        ProgressReporter.mode(allowsLiveLine: format == .text, logInterval: configuration.progressInterval)
    }

    /// Runs `body` with a pool of the operation's size around the metrics export, then shuts the pool down.
    /// The claim and the write-back (each one at a time, beside the calls), the rate limiter, lease upkeep and
    /// the idle outlook each need at most one connection at a time: six in all.
    /// - Parameter exitCode: records the exit code in the metrics (default: the run metrics).
    func withPool(
        _ database: DatabaseOptions, exitCode: (@Sendable (Int32) -> Void)? = nil,
        _ body: (PostgresPool) async throws -> Int32
    ) async throws -> Int32 {
        let postgres = try database.configuration(environment: environment)
        let pool = PostgresPool(configuration: postgres, maxConnections: 6, logger: logger)
        let outcome = await Result(catching: {
            try await export.around(logger: logger, exitCode: exitCode ?? runMetrics.recordExitCode) {
                try await body(pool)
            }
        })
        await pool.shutdown()
        return try outcome.get()
    }

    /// The Yoti client for the operation: the command line's credentials over the environment's, one
    /// connection per call in flight, the configured request timeout.
    /// - Throws: ``OperationError`` `.usage` naming a missing or unreadable credential.
    func makeClient(_ yoti: YotiOptions) throws -> IDVClient {
        try yoti.filled(from: environment).makeClient(
            options: IDVClient.Options(
                requestTimeout: configuration.requestTimeout, maxConnections: configuration.concurrency),
            logger: logger)
    }
}
