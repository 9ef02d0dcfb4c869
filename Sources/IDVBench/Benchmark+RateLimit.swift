extension Benchmark {
    /// Figure 7's shared limit, requests per second per batch.
    static let sharedRate = 200.0

    /// Figure 7: four `run` workers sharing `--rate 200` on one batch, as the sandbox saw them arrive.
    func rateAccuracy(_ run: WorkerRun) -> [BenchFigure] {
        let stats = run.sandboxStats
        let rate = Self.sharedRate
        let workers = "4 workers × c=16, latency 0; \(BenchFigure.grouped(Double(stats.createRequests))) requests"
        return [
            BenchFigure(
                id: "7a", name: "shared --rate 200: busiest 1-s window at the sandbox",
                measured: Double(stats.createRequestsPerSecondMax), unit: "/s", baseline: rate, baselineUnit: "/s",
                ratio: Double(stats.createRequestsPerSecondMax) / rate, goal: .measuredAtMost(220, "/s"),
                note: workers + "; sliding window over every arrival"),
            BenchFigure(
                id: "7b", name: "shared --rate 200: mean rate at the sandbox",
                measured: stats.createRequestsPerSecondMean,
                unit: "/s", baseline: rate, baselineUnit: "/s", ratio: stats.createRequestsPerSecondMean / rate,
                goal: .ratioWithin(0.95, 1.05), note: "requests ÷ seconds from the first to the last arrival"),
        ]
    }
}
