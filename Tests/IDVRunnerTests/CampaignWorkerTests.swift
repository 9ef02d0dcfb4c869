import Foundation
import PostgresClient
import Testing
import YotiSandbox

@testable import IDVRunner

extension Campaigns {
    /// Campaign 5: four `idv-batch run` processes on one batch, without and with a shared
    /// `--rate`, in a fault-free run: zero duplicates at the sandbox, every row processed exactly once.
    /// (`RunnerProcessTests` measures the shared rate's busiest second; this asserts the invariants.)
    @Suite("Campaign: concurrent workers", .serialized)
    struct CampaignWorkerTests {
        @Test("four workers on one batch: zero duplicates, one applied attempt per row", arguments: [nil, 40.0])
        func concurrentWorkersCampaign(rate: Double?) async throws {
            let rowCount =
                rate == nil ? CampaignMode.size(fast: 300, long: 5_000) : CampaignMode.size(fast: 180, long: 1_500)
            try await RunnerHarness.with(behaviour: .latency(.milliseconds(20), jitter: .milliseconds(30))) { harness in
                let batch = RunnerHarness.batchID("workers")
                try await harness.enqueue(batch: batch, count: rowCount)
                // Fast mode: fewer calls in flight, so the burst does not starve the suites running beside it.
                let options =
                    [
                        "--concurrency", CampaignMode.size(fast: "4", long: "16"), "--log-level", "debug",
                        "--log-format", "json",
                    ] + (rate.map { ["--rate", "\($0)"] } ?? [])
                let metrics = (0..<4).map { SecretScanner.metricsPath("worker\($0)") }
                let workers = try (0..<4).map { index in
                    try harness.startRun(
                        batch: batch, arguments: options + ["--metrics-file", metrics[index]],
                        name: "workers\(index)")
                }
                var outputs: [(source: String, text: String)] = []
                for (index, worker) in workers.enumerated() {
                    let result = try await worker.wait()
                    outputs += [
                        ("worker \(index)", result.output),
                        SecretScanner.takeMetrics(metrics[index], source: "worker \(index)"),
                    ]
                    #expect(result.status == 0, "\(result.output.suffix(2_000))")
                }
                #expect(try await harness.statusCounts(batch: batch) == ["created": rowCount])
                let stats = harness.sandbox.stats()
                #expect(stats.duplicateSessions == 0 && stats.sessionsCreated == rowCount)
                let attempts = try await harness.attempts(batch: batch)
                #expect(attempts.count == rowCount, "every row processed once: one attempt each")
                #expect(Set(attempts.map(\.requestID)).count == rowCount)
                #expect(
                    attempts.allSatisfy {
                        $0.writeBack == "applied" && $0.outcome == "created" && !$0.possibleDuplicate
                    })
                let report = try await CampaignInvariants.check(
                    harness, batch: batch, expectedRows: rowCount,
                    campaign: rate == nil ? "workers" : "workers-rate",
                    injected: "4 concurrent worker processes" + (rate.map { ", --rate \(Int($0)) shared" } ?? ""))
                #expect(report.duplicatesObserved == 0)

                try await SecretScanner.expectClean(outputs, harness: harness, batch: batch, campaign: "workers")
            }
        }
    }
}
