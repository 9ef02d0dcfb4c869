import Foundation
import IDVRunner
import PostgresClient

extension Benchmark {
    /// Rows per claim in figure 6: what a window of 64 asks for at most.
    static let claimSize = 64

    /// How a claim selects rows: `run --batch <id>`, or `run` without `--batch` (every batch).
    enum ClaimSelection: String, Sendable, CaseIterable {
        case oneBatch = "one batch"
        case allBatches = "all batches"
    }

    /// Figure 6, one side: the median time of `sizes.claimSamples` claims of 64 from a fresh batch, in seconds.
    /// The batch's rows are the only pending rows in the table, so an all-batches claim finds the same rows.
    func medianClaimSeconds(label: String, selection: ClaimSelection) async throws -> Double {
        let batch = "bench-claim-\(label)-\(selection == .oneBatch ? "one" : "all")"
        let warmUp = 3
        try await enqueue(batch: batch, count: (sizes.claimSamples + warmUp) * Self.claimSize)
        let probe = ClaimProbe(
            database: pool, batches: selection == .oneBatch ? [batch] : [], workerID: "idv-bench:claims")
        for _ in 0..<warmUp { _ = try await probe.claim(limit: Self.claimSize) }
        var samples: [Double] = []
        for _ in 0..<sizes.claimSamples {
            let started = ContinuousClock.now
            let claimed = try await probe.claim(limit: Self.claimSize)
            samples.append((ContinuousClock.now - started).secondsDouble)
            guard claimed == Self.claimSize else {
                throw CommandFailure(exitCode: 3, message: "A benchmark claim took \(claimed) rows, expected \(Self.claimSize).")
            }
        }
        samples.sort()
        return samples[samples.count / 2]
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
                       CASE WHEN g % 20 = 0 THEN 'permanent' END,
                       CASE WHEN g % 20 = 0 THEN 'Yoti answered 400: invalid session spec' END,
                       CASE WHEN g % 20 = 0 THEN 400 END,
                       now() - interval '31 days', now() - interval '30 days'
                FROM generate_series($2::int + 1, $2::int + $3::int) AS g
                """,
                [.text(Self.configName), .int(offset), .int(chunk)])
            offset += chunk
            missing -= chunk
        }
        _ = try await pool.execute("VACUUM ANALYZE idv.verification_requests")
        return try await finishedRows()
    }

    /// Figure 6: the claim with the history in place against the claim with none, for one selection.
    func claimFigure(_ selection: ClaimSelection, empty: Double, history: Double, historyRows: Int) -> BenchFigure {
        BenchFigure(
            id: selection == .oneBatch ? "6a" : "6b",
            name: "claim of 64 (\(selection.rawValue)), \(BenchFigure.grouped(Double(historyRows))) finished rows ÷ none",
            measured: history * 1000, unit: "ms", baseline: empty * 1000, baselineUnit: "ms", ratio: history / empty,
            goal: .ratioWithin(1 / 1.2, 1.2),
            note: "median of \(sizes.claimSamples) claims (lease, fence and ledger rows: the statement `run` sends); "
                + "plan below")
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
