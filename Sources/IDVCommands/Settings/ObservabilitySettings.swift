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

    /// Settings with nothing set.
    package init() {}

    /// These settings layered over `base`: every value set here wins (the command line over a job file).
    package func overriding(_ base: ObservabilitySettings) -> ObservabilitySettings {
        var merged = self
        merged.logLevel = logLevel ?? base.logLevel
        merged.logFormat = logFormat ?? base.logFormat
        merged.metricsFile = metricsFile ?? base.metricsFile
        merged.metricsInterval = metricsInterval ?? base.metricsInterval
        return merged
    }
}
