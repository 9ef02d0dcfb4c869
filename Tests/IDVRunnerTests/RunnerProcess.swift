import LocalPostgres
import TestSupport

/// Built `idv-batch` processes for tests: a `run` pointed at a harness's database and sandbox, or any
/// command line. Each is a ``SpawnedProcess`` (output to a file, its own session, reaped with `wait4`).
enum RunnerProcess {
    /// Starts `idv-batch run --batch <batch> …` against the harness (`overrides` replace environment variables).
    static func start(
        _ harness: RunnerHarness,
        batch: String,
        arguments: [String] = [],
        name: String = "run",
        environment overrides: [String: String] = [:]
    ) throws -> SpawnedProcess {
        try IDVBatchProcess.startRun(
            batch: batch, databaseURL: harness.postgres.unredactedConnectionString, apiURL: harness.sandbox.idvBaseURL,
            sdkID: RunnerHarness.sdkID, keyPath: RunnerHarness.keyPath, arguments: arguments, name: name,
            environment: overrides)
    }

    /// Starts any `idv-batch` command line (`arguments` after the executable).
    static func launch(_ arguments: [String], environment: [String: String], name: String) throws -> SpawnedProcess {
        try IDVBatchProcess.launch(arguments, environment: environment, name: name)
    }
}
