import LocalPostgres
import TestSupport

// Names that suites being rewritten elsewhere (the campaigns, RerunnerTests, ExpirySweeperTests, …)
// still use for helpers that moved to TestSupport. They forward; drop them once those suites use the
// TestSupport names.

/// TestSupport's ``MigratedDatabase``, under the name these suites use (so they need no TestSupport import).
typealias OpsDatabase = MigratedDatabase

/// How the campaigns run `idv-batch` commands; the operating-command suite itself moved to IDVCommandsTests.
enum OperationsCommandTests {
    /// Runs `idv-batch <arguments>` with only `overrides` of the idv, Yoti and libpq variables set.
    static func idvBatch(_ arguments: [String], environment overrides: [String: String]) async throws
        -> ChildProcess.Termination
    {
        try await IDVBatchProcess.run(arguments, environment: overrides)
    }
}
