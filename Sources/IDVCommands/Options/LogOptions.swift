import ArgumentParser
import IDVRunner

/// `--log-level` and `--log-format`, shared by every command that logs.
package struct LogOptions: ParsableArguments {
    @Option(
        name: .customLong("log-level"),
        help: ArgumentHelp(
            "Least severe level logged (default: info; demo: error; or $IDV_LOG_LEVEL).", valueName: "level"))
    package var logLevel: LogLevelOption?

    @Option(
        name: .customLong("log-format"),
        help: ArgumentHelp(
            "Log lines on standard error as text, or json (one object per line with ts, level, label, msg and "
                + "the metadata keys, for log collectors). Default: $IDV_LOG_FORMAT, else text on a terminal and json "
                + "otherwise.",
            valueName: "format"))
    package var logFormat: LogFormatOption?

    /// No flags given; ArgumentParser sets what the command line gives.
    package init() {}

    /// The flags that were given, with `metrics`' when the command has them.
    package func settings(metrics: MetricsOptions? = nil) -> ObservabilitySettings {
        var settings = ObservabilitySettings()
        settings.logLevel = logLevel?.rawValue
        settings.logFormat = logFormat?.rawValue
        settings.metricsFile = metrics?.metricsFile
        settings.metricsInterval = metrics?.metricsInterval
        settings.metricsInstance = metrics?.metricsInstance
        return settings
    }
}
