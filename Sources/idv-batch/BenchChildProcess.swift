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
        /// Peak resident set size of the child in MiB: the last `VmHWM` read from `/proc/<pid>/status` while
        /// it ran (sampled every 50 ms), else `ru_maxrss`. Not `ru_maxrss` first: on Linux it also counts the
        /// memory the child had before `exec`, i.e. the spawning benchmark's own resident set.
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
        let (status, usage, highWater) = try await offCooperativePool { () -> (Int32, rusage, Double?) in
            var highWater: Double?
            var raw: Int32 = 0
            var usage = rusage()
            while true {
                let reaped = wait4(pid, &raw, WNOHANG, &usage)
                if reaped == pid { break }
                if reaped < 0 && errno != EINTR { return (-1, usage, highWater) }
                highWater = Self.highWaterMebibytes(pid) ?? highWater
                usleep(50_000)
            }
            // WIFEXITED / WEXITSTATUS / WTERMSIG by hand: Swift does not import the macros.
            let signal = raw & 0x7f
            return (signal == 0 ? (raw >> 8) & 0xff : 128 + signal, usage, highWater)
        }
        let output = (try? String(contentsOfFile: outputPath, encoding: .utf8)) ?? ""
        try? FileManager.default.removeItem(atPath: outputPath)
        return Termination(
            status: status, output: output,
            cpuSeconds: usage.ru_utime.seconds + usage.ru_stime.seconds,
            peakRSSMebibytes: highWater ?? BenchMachine.maxRSSMebibytes(usage.ru_maxrss))
    }

    /// `VmHWM` (peak RSS of the current image) of a running process in MiB, or `nil` (no `/proc`, exited).
    private static func highWaterMebibytes(_ pid: pid_t) -> Double? {
        guard let status = try? String(contentsOfFile: "/proc/\(pid)/status", encoding: .utf8),
            let line = status.split(separator: "\n").first(where: { $0.hasPrefix("VmHWM:") })
        else { return nil }
        return line.split(separator: " ").dropFirst().first.flatMap { Double($0) }.map { $0 / 1024 }
    }

    /// Stops a child that is no longer wanted (a failed benchmark step); it is reaped by ``wait()``.
    func terminate() { kill(pid, SIGTERM) }
}

extension timeval {
    /// The interval in seconds.
    var seconds: Double { Double(tv_sec) + Double(tv_usec) / 1e6 }
}
