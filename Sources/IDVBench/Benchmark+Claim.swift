import Foundation
import IDVCommands
import IDVRunner
import PostgresClient
import YotiClient

extension Benchmark {
    /// Rows per claim in figure 6: what a window of 64 asks for at most.
    static let claimSize = 64

    /// How a claim selects rows: `run --batch <id>`, or `run` without `--batch` (every batch).
    enum ClaimSelection: String, Sendable, CaseIterable {
        case oneBatch = "one batch"
        case allBatches = "all batches"
    }

    /// What claims cost on one side of figure 6.
    struct ClaimCost: Sendable {
        /// Median wall time of one claim as the client sees it, seconds (includes waiting for a busy CPU).
        var medianSeconds: Double
        /// CPU the server process spent per claim, seconds (`/proc/<backend>/schedstat`); `nil` where unreadable.
        var serverCPUSeconds: Double?
    }

    /// Figure 6, one side: `sizes.claimSamples` claims of 64 from a fresh batch on a dedicated connection.
    /// The batch's rows are the only pending rows in the table, so an all-batches claim finds the same rows.
    func claimCost(label: String, selection: ClaimSelection) async throws -> ClaimCost {
        let batch = "bench-claim-\(label)-\(selection == .oneBatch ? "one" : "all")"
        let warmUp = 3
        try await enqueue(batch: batch, count: (sizes.claimSamples + warmUp) * Self.claimSize)
        let connection = try await PostgresConnection.connect(pool.configuration)
        let outcome = await Result(catching: { () async throws -> ClaimCost in
            let probe = ClaimProbe(
                database: SingleConnection(connection: connection), batches: selection == .oneBatch ? [batch] : [],
                workerID: "idv-bench:claims")
            for _ in 0..<warmUp { _ = try await probe.claim(limit: Self.claimSize) }
            let backend = await connection.backendPID
            let cpuBefore = Self.schedulerCPUSeconds(of: backend)
            var samples: [Double] = []
            for _ in 0..<sizes.claimSamples {
                let started = ContinuousClock.now
                let claimed = try await probe.claim(limit: Self.claimSize)
                samples.append((ContinuousClock.now - started).secondsDouble)
                guard claimed == Self.claimSize else {
                    throw CommandFailure(
                        exitCode: 3, message: "A benchmark claim took \(claimed) rows, expected \(Self.claimSize).")
                }
            }
            let cpuAfter = Self.schedulerCPUSeconds(of: backend)
            samples.sort()
            var cost = ClaimCost(medianSeconds: samples[samples.count / 2], serverCPUSeconds: nil)
            if let cpuBefore, let cpuAfter {
                cost.serverCPUSeconds = (cpuAfter - cpuBefore) / Double(sizes.claimSamples)
            }
            return cost
        })
        await connection.close()
        return try outcome.get()
    }

    /// CPU seconds a local process has run so far (first field of `/proc/<pid>/schedstat`, nanoseconds).
    static func schedulerCPUSeconds(of pid: Int32) -> Double? {
        guard let text = try? String(contentsOfFile: "/proc/\(pid)/schedstat", encoding: .utf8),
            let nanoseconds = text.split(separator: " ").first.flatMap({ Double($0) })
        else { return nil }
        return nanoseconds / 1e9
    }

    /// Fills the table up to `sizes.historyRows` finished rows (rows of earlier steps count) in 50 batches,
    /// with set-based inserts of at most a million rows each, then vacuums and analyses it.
    /// - Returns: the finished rows now in the table.
    func buildHistory() async throws -> Int {
        let existing = try await finishedRows()
        var missing = max(0, sizes.historyRows - existing)
        var offset = 0
        while missing > 0 {
            let chunk = min(missing, 1_000_000)
            _ = try await pool.execute(
                """
                INSERT INTO idv.verification_requests
                    (batch_id, external_ref, config_name, status, attempts, next_attempt_at, session_id,
                     token_expires_at, resources_expire_at, error_class, last_error, last_http_status,
                     created_at, updated_at)
                SELECT 'history-' || (g % 50), 'h' || g, $1,
                       CASE WHEN g % 20 = 0 THEN 'failed' ELSE 'expired' END, 1, NULL,
                       CASE WHEN g % 20 = 0 THEN NULL ELSE 'session-h' || g END,
                       now() - interval '30 days', now() - interval '22 days',
                       CASE WHEN g % 20 = 0 THEN $4 END,
                       CASE WHEN g % 20 = 0 THEN 'Yoti answered 400: invalid session spec' END,
                       CASE WHEN g % 20 = 0 THEN 400 END,
                       now() - interval '31 days', now() - interval '30 days'
                FROM generate_series($2::int + 1, $2::int + $3::int) AS g
                """,
                [.text(Self.configName), .int(offset), .int(chunk), .text(ErrorClass.permanent.rawValue)])
            offset += chunk
            missing -= chunk
        }
        _ = try await pool.execute("VACUUM ANALYZE idv.verification_requests")
        return try await finishedRows()
    }

    /// Figure 6: the claim with the history in place against the claim with none, for one selection.
    ///
    /// Compares the server's CPU per claim when it can be read: on a shared machine the wall-clock latency
    /// mostly measures how long the backend waited for a CPU (both medians are in the note).
    func claimFigure(_ selection: ClaimSelection, empty: ClaimCost, history: ClaimCost, historyRows: Int) -> BenchFigure
    {
        let latencies = String(
            format: "median latency %.2f ms with the history, %.2f ms without", history.medianSeconds * 1000,
            empty.medianSeconds * 1000)
        let name =
            "claim of 64 (\(selection.rawValue)), \(BenchFigure.grouped(Double(historyRows))) finished rows ÷ none"
        let id = selection == .oneBatch ? "6a" : "6b"
        let what = "\(sizes.claimSamples) claims (lease, fence and ledger rows: the statement `run` sends)"
        if let loaded = history.serverCPUSeconds, let bare = empty.serverCPUSeconds, bare > 0 {
            return BenchFigure(
                id: id, name: name + ", server CPU", measured: loaded * 1000, unit: "ms", baseline: bare * 1000,
                baselineUnit: "ms", ratio: loaded / bare, goal: .ratioWithin(1 / 1.2, 1.2),
                note: "server CPU per claim over \(what); \(latencies); plan below")
        }
        return BenchFigure(
            id: id, name: name + ", latency", measured: history.medianSeconds * 1000, unit: "ms",
            baseline: empty.medianSeconds * 1000, baselineUnit: "ms",
            ratio: history.medianSeconds / empty.medianSeconds,
            goal: .ratioWithin(1 / 1.2, 1.2), note: "median latency of \(what); plan below")
    }

    /// `EXPLAIN` of the claim statement for a batch with pending rows, as the server plans it now: the whole
    /// plan for one batch, and how rows are picked for all batches.
    func claimPlan() async throws -> String {
        let batch = "bench-claim-plan"
        try await enqueue(batch: batch, count: Self.claimSize)
        var text = ""
        for selection in ClaimSelection.allCases {
            let probe = ClaimProbe(
                database: pool, batches: selection == .oneBatch ? [batch] : [], workerID: "idv-bench:plan")
            let lines = try await pool.query(
                "EXPLAIN (COSTS OFF) " + ClaimProbe.statement, probe.parameters(limit: Self.claimSize)
            ).map { try $0.decode(String.self, at: 0) }
            if selection == .oneBatch {
                text += "run --batch <id>:\n" + lines.joined(separator: "\n")
            } else {
                // Only the picking differs; the rest of the plan is the same as above.
                let picked = lines.drop { !$0.contains("CTE picked") }.prefix { !$0.contains("CTE claimed") }
                text += "\nrun (all batches), how rows are picked:\n" + picked.joined(separator: "\n")
            }
        }
        return text
    }

    private func finishedRows() async throws -> Int {
        try await pool.query(
            "SELECT count(*) AS n FROM idv.verification_requests WHERE status IN ('created', 'failed', 'expired', 'cancelled')"
        )[0].decode(Int.self, "n")
    }
}
