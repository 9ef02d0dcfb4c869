import Foundation
import IDVCommands
import LocalPostgres

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

extension Benchmark {
    /// What figure 10 measured: wrk against `idv-batch notifications serve` as a child process.
    struct ReceiverRun: Sendable {
        var accepted: Int
        var seconds: Double
        var receiverCPUSeconds: Double
        var wrkRequestsPerSecond: Double?
        var nonSuccess: Int
        var exitStatus: Int32
    }

    /// Figure 10: `wrk` posting valid, authenticated notifications with distinct session ids to the receiver
    /// on loopback (c=64, 2 threads). `nil` when `wrk` is not installed (the figure is skipped).
    func receiverThroughput(seconds: Int) async throws -> [BenchFigure]? {
        guard let wrk = Self.executableOnPath("wrk") else { return nil }
        let run = try await runReceiver(wrk: wrk, seconds: seconds)
        let rate = Double(run.accepted) / run.seconds
        let perNotification = run.receiverCPUSeconds / Double(max(run.accepted, 1))
        var note =
            "wrk -t2 -c64 -d\(seconds)s, distinct session ids, Bearer auth; rows stored ÷ wall time "
            + "(wrk: \(run.wrkRequestsPerSecond.map { BenchFigure.format($0) } ?? "n/a")/s"
        note += run.nonSuccess > 0 ? ", \(run.nonSuccess) non-2xx)" : ", all 2xx)"
        note += run.exitStatus == 0 ? "; SIGTERM: exit 0" : "; SIGTERM: exit status \(run.exitStatus)"
        return [
            BenchFigure(
                id: "10a", name: "receiver notifications stored/s on loopback", measured: rate, unit: "/s", note: note),
            BenchFigure(
                id: "10b", name: "receiver CPU per notification", measured: perNotification * 1000, unit: "ms",
                note: "utime+stime of the `notifications serve` process from /proc/<pid>/stat over the wrk run ("
                    + String(format: "%.2f s", run.receiverCPUSeconds) + " for "
                    + BenchFigure.grouped(Double(run.accepted)) + " notifications); PostgreSQL's CPU not included"),
        ]
    }

    private func runReceiver(wrk: String, seconds: Int) async throws -> ReceiverRun {
        let token = UUID().uuidString + UUID().uuidString
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent(
            "idv-bench-wrk-\(UUID().uuidString)")
        try FileManager.default.createDirectory(
            at: directory, withIntermediateDirectories: false, attributes: [.posixPermissions: 0o700])
        defer { try? FileManager.default.removeItem(at: directory) }
        let script = directory.appendingPathComponent("post.lua").path
        try Self.wrkScript(token: token).write(toFile: script, atomically: false, encoding: .utf8)

        var environment = ProcessInfo.processInfo.environment.filter { key, _ in
            !key.hasPrefix("PG") && !key.hasPrefix("IDV_") && key != "DATABASE_URL"
        }
        environment["IDV_NOTIFICATIONS_TOKEN"] = token
        environment["DATABASE_URL"] = database.unredactedConnectionString
        let receiver = try SpawnedProcess.start(
            [
                executable, "notifications", "serve", "--port", "0", "--log-format", "json", "--log-level", "info",
                "--max-connections", "8",
            ],
            environment: environment, name: "bench-receiver")
        let port: Int
        do {
            port = try await Self.listeningPort(of: receiver)
        } catch {
            receiver.send(SIGKILL)
            _ = try? await receiver.wait()
            throw error
        }
        let rowsBefore = try await notificationRows()
        let cpuBefore = Self.processCPUSeconds(receiver.pid) ?? 0
        let started = ContinuousClock.now
        let result = try await ChildProcess.run([
            wrk, "-t2", "-c64", "-d\(seconds)s", "--latency", "-s", script, "http://127.0.0.1:\(port)/notifications",
        ])
        let elapsed = (ContinuousClock.now - started).secondsDouble
        let cpuAfter = Self.processCPUSeconds(receiver.pid) ?? cpuBefore
        receiver.send(SIGTERM)
        let termination = try await receiver.wait()
        let accepted = try await notificationRows() - rowsBefore
        return ReceiverRun(
            accepted: accepted, seconds: elapsed, receiverCPUSeconds: cpuAfter - cpuBefore,
            wrkRequestsPerSecond: Self.wrkNumber(after: "Requests/sec:", in: result.output),
            nonSuccess: Int(Self.wrkNumber(after: "Non-2xx or 3xx responses:", in: result.output) ?? 0),
            exitStatus: termination.status)
    }

    private func notificationRows() async throws -> Int {
        try await pool.query("SELECT count(*) AS n FROM idv.notifications")[0].decode(Int.self, "n")
    }

    /// A wrk script: each request a notification of its own session id (thread number, counter).
    static func wrkScript(token: String) -> String {
        """
        local threads = 0
        function setup(thread)
          thread:set("tid", threads)
          threads = threads + 1
        end
        local counter = 0
        wrk.method = "POST"
        wrk.headers["Authorization"] = "Bearer \(token)"
        wrk.headers["Content-Type"] = "application/json"
        function request()
          counter = counter + 1
          local body = string.format('{"session_id":"bench-%d-%d","topic":"session_completion"}', tid, counter)
          return wrk.format(nil, nil, nil, body)
        end
        """
    }

    /// The port in the receiver's `listening` log line (JSON), waiting up to 15 s for it.
    private static func listeningPort(of process: SpawnedProcess) async throws -> Int {
        let deadline = ContinuousClock.now + .seconds(15)
        while ContinuousClock.now < deadline {
            for line in process.outputSoFar().split(separator: "\n") where line.contains("listen.port") {
                if let object = try? JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any],
                    let port = (object["listen.port"] as? String).flatMap(Int.init)
                {
                    return port
                }
            }
            try await Task.sleep(for: .milliseconds(50))
        }
        throw CommandFailure(
            exitCode: 3,
            message: "`notifications serve` did not start listening within 15 s: \(process.outputSoFar().suffix(500))")
    }

    /// utime + stime of a running process from /proc/<pid>/stat, in seconds (`nil` without /proc).
    static func processCPUSeconds(_ pid: pid_t) -> Double? {
        guard let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8),
            let close = stat.lastIndex(of: ")")
        else { return nil }
        // Fields after "(comm)": state is field 3; utime and stime are fields 14 and 15.
        let fields = stat[stat.index(after: close)...].split(separator: " ")
        guard fields.count > 13, let user = Double(fields[11]), let system = Double(fields[12]) else { return nil }
        return (user + system) / Double(sysconf(Int32(_SC_CLK_TCK)))
    }

    static func wrkNumber(after label: String, in output: String) -> Double? {
        guard let line = output.split(separator: "\n").first(where: { $0.contains(label) }) else { return nil }
        return Double(line.replacingOccurrences(of: label, with: "").trimmingCharacters(in: .whitespaces))
    }

    static func executableOnPath(_ name: String) -> String? {
        let path = ProcessInfo.processInfo.environment["PATH"] ?? "/usr/local/bin:/usr/bin:/bin"
        return path.split(separator: ":").map { "\($0)/\(name)" }.first {
            FileManager.default.isExecutableFile(atPath: $0)
        }
    }
}
