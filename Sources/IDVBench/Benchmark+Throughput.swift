import Foundation

extension Benchmark {
    /// The sandbox's answer delay in the latency-bound runs (figure 1).
    static let boundLatency = Duration.milliseconds(100)

    /// Figure 1: achieved sessions/s against `concurrency / latency`, the most a window of that size can do.
    func latencyEfficiency(_ run: WorkerRun, concurrency: Int, id: String, goal: BenchFigure.Goal?) -> BenchFigure {
        let ideal = Double(concurrency) / Self.boundLatency.secondsDouble
        let ratio = run.throughput / ideal
        var note =
            "\(BenchFigure.grouped(Double(run.created))) sessions in \(String(format: "%.1f", run.runnerSeconds)) s; "
            + run.cpuSummary
        if ratio < 0.95 { note += "; " + bound(of: run, concurrency: concurrency) }
        if let slot = slotTime(of: run, concurrency: concurrency) { note += "; " + slot }
        return BenchFigure(
            id: id, name: "latency-bound efficiency, 100 ms, c=\(concurrency)", measured: run.throughput, unit: "/s",
            baseline: ideal, baselineUnit: "/s", ratio: ratio, goal: goal, note: note)
    }

    /// Says what kept a run below its window's ideal, from where the CPU went.
    func bound(of run: WorkerRun, concurrency: Int) -> String {
        let perSession = run.created > 0 ? run.workerCPUSeconds / Double(run.created) : 0
        let cores = Double(ProcessInfo.processInfo.activeProcessorCount)
        let busy = run.machineBusy ?? 0
        if busy >= 0.85 {
            return String(
                format: "bounded by CPU: the machine was %.0f%% busy; at %.2f ms runner CPU per session one core "
                    + "does %.0f sessions/s, and the sandbox (signature checks), PostgreSQL and other users share the %.0f cores",
                busy * 100, perSession * 1000, perSession > 0 ? 1 / perSession : 0, cores)
        }
        return String(
            format: "not CPU-bound (machine %.0f%% busy, %d claims for %d sessions, both beside the calls)",
            busy * 100, run.claimStatements, run.created)
    }

    /// Where a slot's time went: the call as the runner saw it, the part the sandbox held it, and the gaps.
    func slotTime(of run: WorkerRun, concurrency: Int) -> String? {
        guard let call = run.meanCallSeconds, run.throughput > 0 else { return nil }
        let cycle = Double(concurrency) / run.throughput
        let answer = run.sandboxStats.createAnswerSecondsMean
        return String(
            format: "per slot one call every %.1f ms: the call took %.1f ms at the runner, of which the sandbox "
                + "held it %.1f ms (its %.0f ms latency counts from arrival and includes its own checks) and "
                + "%.1f ms went to HTTP at both ends and waiting for a core (the request was signed while its "
                + "row waited for the slot); %.1f ms between calls (claims, write-backs, start-up and the last calls)",
            cycle * 1000, call * 1000, answer * 1000, Self.boundLatency.secondsDouble * 1000, (call - answer) * 1000,
            (cycle - call) * 1000)
    }

    /// Figure 4: PostgreSQL statements per created session at concurrency 64 (from the c=64 latency run).
    func statementCosts(_ run: WorkerRun) -> [BenchFigure] {
        let created = Double(max(run.created, 1))
        let other = run.serverStatements - run.claimStatements - run.writeBackStatements
        return [
            BenchFigure(
                id: "4a", name: "write-back statements per session, c=64", measured: Double(run.writeBackStatements),
                unit: "stmts", baseline: Double(run.created), baselineUnit: "sessions",
                ratio: Double(run.writeBackStatements) / created,
                note: "group commit: each statement stores every result that arrived while the one before it ran, "
                    + "so a received result waits at most one statement; for information"),
            BenchFigure(
                id: "4b", name: "claim statements per session, c=64", measured: Double(run.claimStatements),
                unit: "stmts", baseline: Double(run.created), baselineUnit: "sessions",
                ratio: Double(run.claimStatements) / created,
                note: "one statement claims the rows for every free slot once enough slots are free"),
            BenchFigure(
                id: "4c", name: "all statements per session, c=64", measured: Double(run.serverStatements),
                unit: "stmts", baseline: Double(run.created), baselineUnit: "sessions",
                ratio: Double(run.serverStatements) / created,
                note: "counted by the server (pg_stat_database), for information (the goal is on write-backs, 4a): "
                    + "claims + write-backs + \(other) others "
                    + "(run record, tallies, lease upkeep)"),
        ]
    }
}
