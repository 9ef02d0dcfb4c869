import Foundation
import LocalPostgres
import PostgresClient
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
        // IDV_RUNNER_EXECUTABLE points a test at another build (e.g. .build/release/idv-batch).
        let executable =
            try ProcessInfo.processInfo.environment["IDV_RUNNER_EXECUTABLE"].map { URL(fileURLWithPath: $0) }
            ?? SharedPaths.builtExecutable(named: "idv-batch")
        var environment = ProcessInfo.processInfo.environment
        for key in ["DATABASE_URL", "YOTI_CLIENT_SDK_ID", "YOTI_KEY_FILE_PATH", "YOTI_IDV_API_URL", "YOTI_DOC_SCAN_API_URL"] {
            environment.removeValue(forKey: key)
        }
        environment["DATABASE_URL"] = harness.postgres.unredactedConnectionString
        environment["YOTI_CLIENT_SDK_ID"] = RunnerHarness.sdkID
        environment["YOTI_KEY_FILE_PATH"] = RunnerHarness.keyPath
        environment.merge(overrides) { $1 }
        return try SpawnedProcess.start(
            [executable.path, "run", "--batch", batch, "--api-url", harness.sandbox.idvBaseURL, "--log-level", "warning"]
                + arguments,
            environment: environment, name: "run-\(name)")
    }

    /// Starts any `idv-batch` command line (`arguments` after the executable).
    static func launch(_ arguments: [String], environment: [String: String], name: String) throws -> SpawnedProcess {
        try SpawnedProcess.start(
            [try SharedPaths.builtExecutable(named: "idv-batch").path] + arguments, environment: environment, name: name)
    }
}
