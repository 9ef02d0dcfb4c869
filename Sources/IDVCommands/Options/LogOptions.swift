import ArgumentParser
import IDVRunner

/// `--log-level` and `--log-format`, shared by every command that logs.
package struct LogOptions: ParsableArguments {
    @Option(
        name: .customLong("log-level"),
        help: ArgumentHelp("trace, debug, info, notice, warning, error or critical (default: info; demo: error).", valueName: "level"))
    package var logLevel: String?

    @Option(
        name: .customLong("log-format"),
        help: ArgumentHelp(
            "Log lines on standard error as text, or json (one object per line with ts, level, label, msg and "
                + "the metadata keys, for log collectors). Default: text on a terminal, json otherwise.",
            valueName: "format"))
    package var logFormat: String?

    /// No flags given; ArgumentParser sets what the command line gives.
    package init() {}

    /// The flags that were given, with `metrics`' when the command has them.
    package func settings(metrics: MetricsOptions? = nil) -> ObservabilitySettings {
        var settings = ObservabilitySettings()
        settings.logLevel = logLevel
        settings.logFormat = logFormat
        settings.metricsFile = metrics?.metricsFile
        settings.metricsInterval = metrics?.metricsInterval
        return settings
    }
}
