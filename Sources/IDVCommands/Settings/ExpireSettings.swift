/// What a job file's `expire:` section says (every setting optional; the command line wins).
package struct ExpireSettings: Sendable, Hashable {
    /// Batches to sweep (`--batch`); none = all.
    package var batches: [String]?
    /// RFC 3339 instant to sweep as of (`--as-of`).
    package var asOf: String?
    /// `--dry-run`.
    package var dryRun: Bool?
    /// `--delete-remote`.
    package var deleteRemote: Bool?
    /// `--chunk-size`.
    package var chunkSize: Int?
    /// `--delete-concurrency`.
    package var deleteConcurrency: Int?
    /// Seconds one Yoti delete may take (`--request-timeout`).
    package var requestTimeout: Double?
    /// Logging and metrics: `log_level`, `log_format`, `metrics_file`, `metrics_interval`.
    package var observability = ObservabilitySettings()

    /// Settings with nothing set.
    package init() {}
}
