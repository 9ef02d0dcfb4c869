import Foundation
import LocalPostgres

/// The built `idv-batch` executable as a child process, the way cron, operators and the campaigns run it.
package enum IDVBatchProcess {
    /// Runs `idv-batch <arguments>` to completion with only `overrides` of the idv, Yoti and libpq
    /// variables set (see ``environment(_:)``).
    package static func run(
        _ arguments: [String], environment overrides: [String: String]
    ) async throws -> ChildProcess.Termination {
        let executable = try SharedPaths.builtExecutable(named: "idv-batch")
        return try await ChildProcess.run([executable.path] + arguments, environment: environment(overrides))
    }

    /// This process's environment without `YOTI_*`, `PG*` and `DATABASE_URL`, then `overrides`: a child
    /// sees only the settings its test gives it.
    package static func environment(_ overrides: [String: String]) -> [String: String] {
        var environment = ProcessInfo.processInfo.environment
        for key in environment.keys where key.hasPrefix("YOTI_") || key.hasPrefix("PG") || key == "DATABASE_URL" {
            environment.removeValue(forKey: key)
        }
        environment.merge(overrides) { $1 }
        return environment
    }

    /// Starts any `idv-batch` command line (`arguments` after the executable) with exactly `environment`.
    package static func launch(_ arguments: [String], environment: [String: String], name: String) throws
        -> SpawnedProcess
    {
        try SpawnedProcess.start(
            [try SharedPaths.builtExecutable(named: "idv-batch").path] + arguments, environment: environment, name: name
        )
    }

    /// Starts `idv-batch run --batch <batch> --api-url <apiURL> --log-level warning <arguments>` with the
    /// database, SDK id and key file given in its environment (`overrides` replace variables).
    /// `IDV_RUNNER_EXECUTABLE` points it at another build (e.g. `.build/release/idv-batch`).
    package static func startRun(
        batch: String,
        databaseURL: String,
        apiURL: String,
        sdkID: String,
        keyPath: String,
        arguments: [String] = [],
        name: String = "run",
        environment overrides: [String: String] = [:]
    ) throws -> SpawnedProcess {
        let executable =
            try ProcessInfo.processInfo.environment["IDV_RUNNER_EXECUTABLE"].map { URL(fileURLWithPath: $0) }
            ?? SharedPaths.builtExecutable(named: "idv-batch")
        var environment = ProcessInfo.processInfo.environment
        for key in [
            "DATABASE_URL", "YOTI_CLIENT_SDK_ID", "YOTI_KEY_FILE_PATH", "YOTI_IDV_API_URL", "YOTI_DOC_SCAN_API_URL",
        ] {
            environment.removeValue(forKey: key)
        }
        environment["DATABASE_URL"] = databaseURL
        environment["YOTI_CLIENT_SDK_ID"] = sdkID
        environment["YOTI_KEY_FILE_PATH"] = keyPath
        environment.merge(overrides) { $1 }
        return try SpawnedProcess.start(
            [executable.path, "run", "--batch", batch, "--api-url", apiURL, "--log-level", "warning"] + arguments,
            environment: environment, name: "run-\(name)")
    }
}
