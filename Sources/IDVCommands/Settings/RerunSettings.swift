/// What a job file's `rerun:` section says (every setting optional; the command line wins).
public struct RerunSettings: Sendable, Hashable {
    /// The batch whose failed rows are re-queued.
    public var batch: String?
    /// Error classes to re-queue (`--only`).
    public var only: [String]?
    /// HTTP statuses to re-queue (`--status`).
    public var statuses: [Int]?
    /// Re-queue without running (`--no-run`).
    public var noRun: Bool?

    /// Settings with nothing set.
    public init() {}
}
