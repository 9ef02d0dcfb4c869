import ArgumentParser

/// `--metrics-file` and `--metrics-interval` of `run`, `rerun` and `expire`.
package struct MetricsOptions: ParsableArguments {
    @Option(
        name: .customLong("metrics-file"),
        help: ArgumentHelp(
            "Write Prometheus text metrics to this file for node_exporter's textfile collector (name it *.prom, in "
                + "the collector's directory): at start, every --metrics-interval, and at the end, also after a "
                + "failure or a signal. Each write is atomic (a temporary file in the same directory, fsynced, "
                + "then renamed), so the collector never reads half a file. Every metric carries # HELP text; "
                + "idv_run_last_success_timestamp_seconds (expire: idv_expiry_…) is the time of the last exit 0, kept "
                + "across failed runs. Default: $IDV_METRICS_FILE.",
            valueName: "path"))
    package var metricsFile: String?

    @Option(
        name: .customLong("metrics-interval"),
        help: ArgumentHelp(
            "Seconds between metrics file writes while the command runs (default 15, at least 1).", valueName: "s"))
    package var metricsInterval: Double?

    @Option(
        name: .customLong("metrics-instance"),
        help: ArgumentHelp(
            "Add the label instance=\"NAME\" to every metric, so parallel workers writing their own textfiles "
                + "stay distinct series (e.g. the host or pod name).",
            valueName: "name"))
    package var metricsInstance: String?

    /// No flags given; ArgumentParser sets what the command line gives.
    package init() {}
}
