import ArgumentParser

/// `--metrics-file` and `--metrics-interval` of `run`, `rerun` and `expire`.
package struct MetricsOptions: ParsableArguments {
    @Option(
        name: .customLong("metrics-file"),
        help: ArgumentHelp(
            "Write Prometheus text metrics to this file for node_exporter's textfile collector (name it *.prom, in "
                + "the collector's directory): at start, every --metrics-interval, and at the end, also after a "
                + "failure or a signal. Each write is atomic (a temporary file in the same directory, fsynced, "
                + "then renamed), so the collector never reads half a file.",
            valueName: "path"))
    package var metricsFile: String?

    @Option(
        name: .customLong("metrics-interval"),
        help: ArgumentHelp("Seconds between metrics file writes while the command runs (default 15, at least 1).", valueName: "s"))
    package var metricsInterval: Double?

    /// No flags given; ArgumentParser sets what the command line gives.
    package init() {}
}
