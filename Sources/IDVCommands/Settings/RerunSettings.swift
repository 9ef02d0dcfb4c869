/// What a job file's `rerun:` section says (every setting optional; the command line wins).
package struct RerunSettings: Sendable, Hashable {
    /// The batch whose failed rows are re-queued.
    package var batch: String?
    /// Error classes to re-queue (`--only`).
    package var only: [String]?
    /// HTTP statuses to re-queue (`--status`).
    package var statuses: [Int]?
    /// Re-queue without running (`--no-run`).
    package var noRun: Bool?

    /// Settings with nothing set.
    package init() {}
}
