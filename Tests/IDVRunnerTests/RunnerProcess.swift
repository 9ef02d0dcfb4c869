import Foundation
import PostgresClient
import TestSupport

#if canImport(Glibc)
import Glibc
#endif

/// A built `idv-batch run` process pointed at a harness's database and sandbox.
struct RunnerProcess: Sendable {
    /// How a process ended, with the CPU time it used.
    struct Termination: Sendable {
        var status: Int32
        var output: String
        /// User + system CPU seconds of the process (from wait4's rusage).
        var cpuSeconds: Double
    }

    let pid: pid_t
    let outputPath: String

    /// Starts `idv-batch run --batch <batch> …` against the harness (`overrides` replace environment variables).
    static func start(
        _ harness: RunnerHarness,
        batch: String,
        arguments: [String] = [],
        name: String = "run",
        environment overrides: [String: String] = [:]
    ) throws -> RunnerProcess {
        // IDV_RUNNER_EXECUTABLE points the figures at another build (e.g. .build/release/idv-batch).
        let executable =
            try ProcessInfo.processInfo.environment["IDV_RUNNER_EXECUTABLE"].map { URL(fileURLWithPath: $0) }
            ?? SharedPaths.builtExecutable(named: "idv-batch")
        let outputPath = FileManager.default.temporaryDirectory
            .appendingPathComponent("idv-run-\(name)-\(UUID().uuidString.prefix(8)).log").path
        var environment = ProcessInfo.processInfo.environment
        for key in ["DATABASE_URL", "YOTI_CLIENT_SDK_ID", "YOTI_KEY_FILE_PATH", "YOTI_IDV_API_URL", "YOTI_DOC_SCAN_API_URL"] {
            environment.removeValue(forKey: key)
        }
        environment["DATABASE_URL"] = harness.postgres.unredactedConnectionString
        environment["YOTI_CLIENT_SDK_ID"] = RunnerHarness.sdkID
        environment["YOTI_KEY_FILE_PATH"] = RunnerHarness.keyPath
        environment.merge(overrides) { $1 }
        let pid = try ChildProcess.spawn(
            [executable.path, "run", "--batch", batch, "--api-url", harness.sandbox.idvBaseURL, "--log-level", "warning"]
                + arguments,
            environment: environment, outputPath: outputPath, newSession: true)
        return RunnerProcess(pid: pid, outputPath: outputPath)
    }

    /// Starts any `idv-batch` command line (`arguments` after the executable) in a session of its own.
    static func launch(_ arguments: [String], environment: [String: String], name: String) throws -> RunnerProcess {
        let outputPath = FileManager.default.temporaryDirectory
            .appendingPathComponent("idv-\(name)-\(UUID().uuidString.prefix(8)).log").path
        let pid = try ChildProcess.spawn(
            [try SharedPaths.builtExecutable(named: "idv-batch").path] + arguments,
            environment: environment, outputPath: outputPath, newSession: true)
        return RunnerProcess(pid: pid, outputPath: outputPath)
    }

    /// What the process has written so far (standard output and error).
    func outputSoFar() -> String {
        (try? String(contentsOfFile: outputPath, encoding: .utf8)) ?? ""
    }

    /// Sends `signal` (SIGTERM, SIGKILL, …).
    func send(_ signal: Int32) {
        kill(pid, signal)
    }

    /// Waits for the process off the cooperative pool and returns its status, output and CPU time.
    func wait() async throws -> Termination {
        let pid = self.pid
        let (status, cpu) = try await offCooperativePool { () -> (Int32, Double) in
            let (status, usage) = ChildProcess.waitBlockingWithUsage(pid)
            let seconds = { (t: timeval) in Double(t.tv_sec) + Double(t.tv_usec) / 1e6 }
            return (status, seconds(usage.ru_utime) + seconds(usage.ru_stime))
        }
        let output = (try? String(contentsOfFile: outputPath, encoding: .utf8)) ?? ""
        try? FileManager.default.removeItem(atPath: outputPath)
        return Termination(status: status, output: output, cpuSeconds: cpu)
    }
}
