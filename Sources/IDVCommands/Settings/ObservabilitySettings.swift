import Foundation

/// Logging and metrics settings, every one optional: the `log_level`, `log_format`, `metrics_file` and
/// `metrics_interval` keys of a job file's `run:` or `expire:` section, or the matching flags.
package struct ObservabilitySettings: Sendable, Hashable {
    /// trace, debug, info, notice, warning, error, critical (`--log-level`).
    package var logLevel: String?
    /// `text` or `json` (`--log-format`; default text on a terminal, JSON lines otherwise).
    package var logFormat: String?
    /// Where to write Prometheus text for node_exporter's textfile collector (`--metrics-file`).
    package var metricsFile: String?
    /// Seconds between metrics file writes while the command runs (`--metrics-interval`, default 15).
    package var metricsInterval: Double?
    /// The `instance` label on every metric in the file (`--metrics-instance`), so that workers writing
    /// textfiles side by side stay distinct series. Default none.
    package var metricsInstance: String?

    /// Environment variables that stand in for settings nobody gave (flag or job file).
    package enum Environment {
        /// `--log-level`.
        package static let logLevel = "IDV_LOG_LEVEL"
        /// `--log-format`.
        package static let logFormat = "IDV_LOG_FORMAT"
        /// `--metrics-file`.
        package static let metricsFile = "IDV_METRICS_FILE"
    }

    /// Settings with nothing set.
    package init() {}

    /// These settings layered over `base`: every value set here wins (the command line over a job file).
    package func overriding(_ base: ObservabilitySettings) -> ObservabilitySettings {
        var merged = self
        merged.logLevel = logLevel ?? base.logLevel
        merged.logFormat = logFormat ?? base.logFormat
        merged.metricsFile = metricsFile ?? base.metricsFile
        merged.metricsInterval = metricsInterval ?? base.metricsInterval
        merged.metricsInstance = metricsInstance ?? base.metricsInstance
        return merged
    }

    /// These settings with ``Environment``'s variables (non-empty ones) filling what is unset: a flag or
    /// job-file key always wins over the environment.
    package func withEnvironment(_ environment: [String: String] = ProcessInfo.processInfo.environment)
        -> ObservabilitySettings
    {
        func value(_ name: String) -> String? { environment[name].flatMap { $0.isEmpty ? nil : $0 } }
        var resolved = self
        resolved.logLevel = logLevel ?? value(Environment.logLevel)
        resolved.logFormat = logFormat ?? value(Environment.logFormat)
        resolved.metricsFile = metricsFile ?? value(Environment.metricsFile)
        return resolved
    }
}
