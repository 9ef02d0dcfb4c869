import Foundation
import SystemSupport

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// A child program running in a session of its own, its output going to a temporary file: the workers
/// `bench` measures and the `idv-batch` processes the tests drive.
package struct SpawnedProcess: Sendable {
    /// How the child ended and what it cost.
    package struct Termination: Sendable {
        /// Exit status, or 128 + the signal that killed it.
        package var status: Int32
        /// Standard output and error, interleaved.
        package var output: String
        /// User + system CPU seconds of the child (`rusage` from `wait4`).
        package var cpuSeconds: Double
        /// Peak resident set size in MiB: with sampling, the last `VmHWM` read from `/proc/<pid>/status`
        /// while it ran; else (or without `/proc`) `ru_maxrss`, which on Linux also counts the memory the
        /// child had before `exec` — the spawning process's own resident set.
        package var peakRSSMebibytes: Double
    }

    package let pid: pid_t
    package let outputPath: String

    /// Starts `arguments` (the first is the program) with `environment`; `name` labels the output file.
    /// - Throws: ``ChildProcessError`` when the program cannot be started.
    package static func start(_ arguments: [String], environment: [String: String], name: String) throws
        -> SpawnedProcess
    {
        let outputPath = FileManager.default.temporaryDirectory
            .appendingPathComponent("idv-\(name)-\(UUID().uuidString.prefix(8)).log").path
        let pid = try ChildProcess.spawn(arguments, environment: environment, outputPath: outputPath, newSession: true)
        return SpawnedProcess(pid: pid, outputPath: outputPath)
    }

    /// What the child has written so far.
    package func outputSoFar() -> String {
        (try? String(contentsOfFile: outputPath, encoding: .utf8)) ?? ""
    }

    /// Sends `signal` (SIGTERM, SIGKILL, …); the child is still reaped by ``wait(samplingPeakMemory:)``.
    package func send(_ signal: Int32) {
        kill(pid, signal)
    }

    /// Waits off the cooperative pool (`wait4` blocks), then returns the status, output and resource use and
    /// deletes the output file.
    /// - Parameter samplingPeakMemory: read `VmHWM` every 50 ms while the child runs (exact peak RSS).
    package func wait(samplingPeakMemory: Bool = false) async throws -> Termination {
        let pid = self.pid
        let (status, usage, highWater) = try await offCooperativePool { () -> (Int32, rusage, Double?) in
            var highWater: Double?
            let sample: (() -> Void)? =
                samplingPeakMemory ? { highWater = Self.highWaterMebibytes(pid) ?? highWater } : nil
            let (status, usage) = ChildProcess.waitBlockingWithUsage(pid, whileRunning: sample)
            return (status, usage, highWater)
        }
        let output = outputSoFar()
        try? FileManager.default.removeItem(atPath: outputPath)
        return Termination(
            status: status, output: output, cpuSeconds: usage.ru_utime.seconds + usage.ru_stime.seconds,
            peakRSSMebibytes: highWater ?? ProcessUsage.mebibytes(maxRSS: usage.ru_maxrss))
    }

    /// `VmHWM` (peak RSS of the current image) of a running process in MiB, or `nil` (no `/proc`, exited).
    private static func highWaterMebibytes(_ pid: pid_t) -> Double? {
        guard let status = try? String(contentsOfFile: "/proc/\(pid)/status", encoding: .utf8),
            let line = status.split(separator: "\n").first(where: { $0.hasPrefix("VmHWM:") })
        else { return nil }
        return line.split(separator: " ").dropFirst().first.flatMap { Double($0) }.map { $0 / 1024 }
    }
}
