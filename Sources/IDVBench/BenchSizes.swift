/// How big each benchmark step is: the sizes by default, small ones with `--quick`.
struct BenchSizes: Sendable {
    /// Rows per latency-bound run (figure 1, both concurrencies; figure 4 reads the c=64 run).
    var latencyRows: Int
    /// Rows of the latency-0 run for CPU per session and the smaller memory figure (figures 2, 3).
    var cpuRows: Int
    /// Rows of the larger memory run (figure 3).
    var memoryRows: Int
    /// `created` rows with expired tokens for the sweep (figure 5).
    var sweepRows: Int
    /// Finished rows in the table for the claim-cost comparison (figure 6), the sweep's rows included.
    var historyRows: Int
    /// Claims of 64 timed per side of figure 6.
    var claimSamples: Int
    /// Rows shared by the four rate-limited workers (figure 7).
    var rateRows: Int
    /// Signatures timed for the per-signature CPU cost (figure 2's baseline).
    var signatures: Int
    /// In-Branch rows of the follow-through run (figure 8).
    var followThroughRows: Int
    /// Sessions whose results sync fetches (figure 9).
    var syncRows: Int = 10_000
    /// Seconds wrk posts notifications to the receiver (figure 10).
    var receiverSeconds: Int
    /// Applicant rows loaded by `idv-batch enqueue` and by `COPY`, in each format (figure 11).
    var enqueueRows: Int

    /// The sizes, except where a size is reduced to keep the run to a few minutes on a small machine
    /// (each reduction is stated in ``reductions``).
    static let standard = BenchSizes(
        latencyRows: 20_000, cpuRows: 20_000, memoryRows: 100_000, sweepRows: 1_000_000,
        historyRows: 5_000_000, claimSamples: 200, rateRows: 3_000, signatures: 2_000,
        followThroughRows: 6_000, receiverSeconds: 10, enqueueRows: 1_000_000)

    /// Small sizes, same code paths: well under a minute.
    static let quick = BenchSizes(
        latencyRows: 1_000, cpuRows: 1_000, memoryRows: 4_000, sweepRows: 20_000,
        historyRows: 50_000, claimSamples: 30, rateRows: 400, signatures: 200,
        followThroughRows: 400, syncRows: 1_000, receiverSeconds: 3, enqueueRows: 20_000)

    /// Where these sizes differ from the issue's, and why.
    var reductions: [String] {
        var lines: [String] = []
        if memoryRows < 500_000 {
            lines.append(
                "figure 3 larger run: \(BenchFigure.grouped(Double(memoryRows))) rows instead of 500,000 "
                    + "(500,000 sessions at this machine's latency-0 rate take several minutes on their own; --memory-rows 500000 for the full size)"
            )
        }
        return lines
    }

    /// One line per size, for the report.
    var summary: [String] {
        let g = { (value: Int) in BenchFigure.grouped(Double(value)) }
        return [
            "latency runs \(g(latencyRows)) rows; CPU run \(g(cpuRows)) rows; memory runs \(g(cpuRows)) and \(g(memoryRows)) rows",
            "sweep \(g(sweepRows)) rows; claim history \(g(historyRows)) finished rows, \(claimSamples) claims of 64 per side",
            "rate limit \(g(rateRows)) rows over 4 workers; signature baseline \(g(signatures)) signatures",
            "In-Branch follow-through \(g(followThroughRows)) rows",
            "sync \(g(syncRows)) sessions at latency 100 ms",
            "receiver: wrk for \(receiverSeconds) s, 2 threads, 64 connections",
            "enqueue \(g(enqueueRows)) applicant rows per format",
        ] + reductions
    }
}
