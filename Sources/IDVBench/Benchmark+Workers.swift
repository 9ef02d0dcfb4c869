import Foundation
import IDVCommands
import LocalPostgres
import PostgresClient
import SystemSupport
import YotiAPI
import YotiSandbox

extension Benchmark {
    /// What one step of `idv-batch run` workers did and cost.
    struct WorkerRun: Sendable {
        var workers: [SpawnedProcess.Termination]
        /// Sessions the workers created (their `idv.runs` rows).
        var created: Int
        /// The longest worker's own run time (claim loop start to summary), seconds.
        var runnerSeconds: Double
        /// Claim statements of all workers (the runners' counters).
        var claimStatements: Int
        /// Write-back statements of all workers (the runners' counters).
        var writeBackStatements: Int
        /// Every statement the server finished in the step (`pg_stat_database`): claims, write-backs, leases,
        /// rate-limit reservations, run records, tallies.
        var serverStatements: Int
        /// From starting the first worker to the last one exiting, seconds.
        var wallSeconds: Double
        /// CPU seconds of the sandbox and the benchmark itself (this process) during the step.
        var sandboxCPUSeconds: Double
        /// Share of the whole machine's CPU that was busy during the step (all users), 0...1.
        var machineBusy: Double?
        /// Mean call time the workers saw, signing included (`mean_call_seconds` of their runs), seconds.
        var meanCallSeconds: Double?
        var sandboxStats: SandboxStats

        /// CPU seconds of all workers together.
        var workerCPUSeconds: Double { workers.reduce(0) { $0 + $1.cpuSeconds } }
        /// The largest peak RSS of any worker, MiB.
        var peakRSSMebibytes: Double { workers.map(\.peakRSSMebibytes).max() ?? 0 }
        /// Sessions per second of runner time.
        var throughput: Double { runnerSeconds > 0 ? Double(created) / runnerSeconds : 0 }
        /// CPU cores the workers used on average over their run.
        var workerCores: Double { wallSeconds > 0 ? workerCPUSeconds / wallSeconds : 0 }
        /// CPU cores the sandbox used on average.
        var sandboxCores: Double { wallSeconds > 0 ? sandboxCPUSeconds / wallSeconds : 0 }

        /// Where the CPU went, for the notes: "runner 1.02 cores, sandbox 0.41, machine 97 % busy".
        var cpuSummary: String {
            var text = String(format: "runner %.2f cores, sandbox %.2f", workerCores, sandboxCores)
            if let machineBusy { text += String(format: ", whole machine %.0f%% busy", machineBusy * 100) }
            return text
        }
    }

    /// The environment of the `idv-batch` child processes: this database, the sandbox's SDK id and key,
    /// and none of the caller's own PostgreSQL or Yoti settings.
    var childEnvironment: [String: String] {
        var environment = ProcessInfo.processInfo.environment.filter { key, _ in
            !key.hasPrefix("PG") && !key.hasPrefix("YOTI_") && key != "DATABASE_URL"
        }
        environment["DATABASE_URL"] = database.unredactedConnectionString
        environment["YOTI_CLIENT_SDK_ID"] = Self.sdkID
        environment["YOTI_KEY_FILE_PATH"] = keyPath
        return environment
    }

    /// Enqueues `rows` rows into a fresh batch, runs `workers` `idv-batch run` processes on it against the
    /// sandbox with `latency`, and returns what they did.
    /// - Throws: ``CommandFailure`` (exit 3) when a worker fails or rows are left unfinished, with its output.
    func runWorkers(
        step: String, rows: Int, workers: Int = 1, concurrency: Int, latency: Duration, rate: Double? = nil
    ) async throws -> WorkerRun {
        let batch = "bench-\(step)"
        try await enqueue(batch: batch, count: rows)
        try sandbox.setBehaviour(.latency(latency))
        sandbox.reset()

        var arguments = [
            executable, "run", "--batch", batch, "--api-url", sandbox.idvBaseURL, "--concurrency", "\(concurrency)",
            "--log-level", "warning",
        ]
        if let rate { arguments += ["--rate", "\(rate)"] }
        let environment = childEnvironment

        let statementsBefore = try await serverStatements()
        let ticksBefore = BenchMachine.machineCPUTicks()
        let cpuBefore = ProcessUsage.cpuSeconds()
        let started = ContinuousClock.now
        var processes: [SpawnedProcess] = []
        do {
            for index in 0..<workers {
                processes.append(
                    try SpawnedProcess.start(arguments, environment: environment, name: "\(step)-\(index)"))
            }
        } catch {
            for process in processes { process.send(SIGTERM) }
            for process in processes { _ = try? await process.wait(samplingPeakMemory: true) }
            throw CommandFailure(exitCode: 3, message: "Could not start an `idv-batch run` worker: \(error)")
        }
        // Waited for together: each worker's VmHWM is sampled while it runs, not after it became a zombie.
        let terminations = try await withThrowingTaskGroup(of: (Int, SpawnedProcess.Termination).self) { group in
            for (index, process) in processes.enumerated() {
                group.addTask { (index, try await process.wait(samplingPeakMemory: true)) }
            }
            return try await group.reduce(into: [SpawnedProcess.Termination?](repeating: nil, count: processes.count)) {
                $0[$1.0] = $1.1
            }.compactMap { $0 }
        }
        let wall = (ContinuousClock.now - started).secondsDouble
        let sandboxCPU = ProcessUsage.cpuSeconds() - cpuBefore
        let ticksAfter = BenchMachine.machineCPUTicks()
        let stats = sandbox.stats()
        try await waitForWorkerSessionsToEnd()
        let statements = try await serverStatements() - statementsBefore

        if let failed = terminations.first(where: { $0.status != 0 }) {
            throw CommandFailure(
                exitCode: 3,
                message: "Benchmark step \(step): an `idv-batch run` worker exited \(failed.status):\n"
                    + failed.output.split(separator: "\n").suffix(15).joined(separator: "\n"))
        }
        let counts = try await statusCounts(batch: batch)
        guard counts == ["created": rows] else {
            throw CommandFailure(
                exitCode: 3, message: "Benchmark step \(step): expected \(rows) created rows, found \(counts).")
        }
        var run = WorkerRun(
            workers: terminations, created: 0, runnerSeconds: 0, claimStatements: 0, writeBackStatements: 0,
            serverStatements: statements, wallSeconds: wall, sandboxCPUSeconds: sandboxCPU, machineBusy: nil,
            sandboxStats: stats)
        if let ticksBefore, let ticksAfter, ticksAfter.total > ticksBefore.total {
            run.machineBusy = (ticksAfter.busy - ticksBefore.busy) / (ticksAfter.total - ticksBefore.total)
        }
        var callSeconds: [Double] = []
        for row in try await pool.query(
            "SELECT details::text AS details FROM idv.runs WHERE kind = 'run' AND $1 = ANY (batch_ids)", [.text(batch)])
        {
            let details = try JSONValue(jsonString: try row.decode(String.self, "details"))
            run.created += Int(details["sessions_created"]?.int64Value ?? 0)
            run.claimStatements += Int(details["claim_round_trips"]?.int64Value ?? 0)
            run.writeBackStatements += Int(details["write_back_round_trips"]?.int64Value ?? 0)
            let seconds: Double =
                switch details["duration_seconds"] {
                case .double(let value): value
                case .integer(let value): Double(value)
                default: 0
                }
            run.runnerSeconds = max(run.runnerSeconds, seconds)
            if case .double(let mean) = details["mean_call_seconds"] { callSeconds.append(mean) }
        }
        if !callSeconds.isEmpty { run.meanCallSeconds = callSeconds.reduce(0, +) / Double(callSeconds.count) }
        return run
    }
}
