/// What a job file's `expire:` section says (every setting optional; the command line wins).
public struct ExpireSettings: Sendable, Hashable {
    /// Batches to sweep (`--batch`); none = all.
    public var batches: [String]?
    /// RFC 3339 instant to sweep as of (`--as-of`).
    public var asOf: String?
    /// `--dry-run`.
    public var dryRun: Bool?
    /// `--delete-remote`.
    public var deleteRemote: Bool?
    /// `--chunk-size`.
    public var chunkSize: Int?
    /// `--delete-concurrency`.
    public var deleteConcurrency: Int?
    /// Seconds one Yoti delete may take (`--request-timeout`).
    public var requestTimeout: Double?
    /// Logging and metrics: `log_level`, `log_format`, `metrics_file`, `metrics_interval`.
    public var observability = ObservabilitySettings()

    /// Settings with nothing set.
    public init() {}
}
