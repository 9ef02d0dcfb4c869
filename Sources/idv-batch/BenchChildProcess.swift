import Foundation
import PostgresClient

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// A child process started by `bench` (an `idv-batch run` worker), reaped with `wait4` so its own CPU
/// time and peak memory are known exactly, apart from the sandbox and PostgreSQL.
struct BenchChildProcess: Sendable {
    /// How a child ended and what it cost.
    struct Termination: Sendable {
        /// Exit status, or 128 + the signal that killed it.
        var status: Int32
        /// Standard output and error, interleaved.
        var output: String
        /// User + system CPU seconds of the child (`rusage` from `wait4`).
        var cpuSeconds: Double
        /// Peak resident set size of the child in MiB (`ru_maxrss`).
        var peakRSSMebibytes: Double
    }

    let pid: pid_t
    let outputPath: String

    /// Starts `arguments` (the first is the program) with `environment`; output goes to a temporary file.
    /// - Throws: `ChildProcessError` when the program cannot be started.
    static func start(_ arguments: [String], environment: [String: String], name: String) throws -> BenchChildProcess {
        let outputPath = FileManager.default.temporaryDirectory
            .appendingPathComponent("idv-bench-\(name)-\(UUID().uuidString.prefix(8)).log").path
        let pid = try ChildProcess.spawn(arguments, environment: environment, outputPath: outputPath, newSession: true)
        return BenchChildProcess(pid: pid, outputPath: outputPath)
    }

    /// Waits off the cooperative pool (wait4 blocks) and returns the status, output and resource use.
    func wait() async throws -> Termination {
        let pid = self.pid
        let (status, usage) = try await offCooperativePool { ChildProcess.waitBlockingWithUsage(pid) }
        let output = (try? String(contentsOfFile: outputPath, encoding: .utf8)) ?? ""
        try? FileManager.default.removeItem(atPath: outputPath)
        return Termination(
            status: status, output: output,
            cpuSeconds: usage.ru_utime.seconds + usage.ru_stime.seconds,
            peakRSSMebibytes: BenchMachine.maxRSSMebibytes(usage.ru_maxrss))
    }

    /// Stops a child that is no longer wanted (a failed benchmark step); it is reaped by ``wait()``.
    func terminate() { kill(pid, SIGTERM) }
}

extension timeval {
    /// The interval in seconds.
    var seconds: Double { Double(tv_sec) + Double(tv_usec) / 1e6 }
}
