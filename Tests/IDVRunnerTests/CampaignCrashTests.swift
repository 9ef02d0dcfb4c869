import Foundation
import PostgresClient
import Testing
import YotiSandbox

@testable import IDVRunner

#if canImport(Glibc)
    import Glibc
#endif

extension Campaigns {
    /// Campaign 1: SIGKILL the `idv-batch run` worker at random moments — while it claims,
    /// while calls are in flight, while it writes back — restart it each time, and lose nothing.
    @Suite("Campaign: crashes (SIGKILL at random moments)", .serialized)
    struct CampaignCrashTests {
        @Test(
            "kill the worker N times at seeded random moments, restart each time: every row created, duplicates flagged"
        )
        func crashCampaign() async throws {
            let rowCount = CampaignMode.size(fast: 400, long: 5_000)
            let kills = CampaignMode.size(fast: 3, long: 10)
            var random = CampaignMode.generator("crash")
            // Slow enough calls that every kill lands mid-batch, with calls, claims and flushes all under way.
            let behaviour = SandboxBehaviour(
                latency: .milliseconds(CampaignMode.size(fast: 80, long: 40)), jitter: .milliseconds(40),
                seed: random.next())
            try await RunnerHarness.with(behaviour: behaviour) { harness in
                let batch = RunnerHarness.batchID("crash")
                try await harness.enqueue(batch: batch, count: rowCount)
                let lease = 2.0
                let metrics = SecretScanner.metricsPath("crash")
                let options =
                    [
                        "--concurrency", "16", "--lease-seconds", "\(Int(lease))", "--request-timeout", "5",
                        "--log-level", "debug",
                        "--metrics-file", metrics, "--metrics-interval", "1",
                    ] + CampaignMode.pace
                var outputs: [(source: String, text: String)] = []
                var killsLanded = 0
                for kill in 1...kills {
                    let worker = try harness.startRun(batch: batch, arguments: options, name: "crash\(kill)")
                    // From start-up (before the first claim commits) to well into the batch. The last kill
                    // waits until the worker holds rows first, so at least one kill leaves leases behind even
                    // when a loaded machine makes every start-up slower than the drawn moments.
                    var moment = Double.random(in: 0.05...CampaignMode.size(fast: 1.2, long: 2.5), using: &random)
                    if kill == kills {
                        let deadline = ContinuousClock.now + .seconds(60)
                        while (try await harness.statusCounts(batch: batch)["in_progress"] ?? 0) == 0,
                            ContinuousClock.now < deadline
                        {
                            try await Task.sleep(for: .milliseconds(20))
                        }
                        moment = Double.random(in: 0.02...0.3, using: &random)
                    }
                    try await Task.sleep(for: .seconds(moment))
                    worker.send(SIGKILL)
                    let result = try await worker.wait()
                    outputs += [
                        ("run \(kill) (killed)", result.output),
                        SecretScanner.takeMetrics(metrics, source: "run \(kill)"),
                    ]
                    let counts = try await harness.statusCounts(batch: batch)
                    let open = try await harness.attempts(batch: batch).filter { !$0.finished }.count
                    print(
                        String(format: "campaign crash: kill %d at %.2f s: exit %d, ", kill, moment, result.status)
                            + "\(counts["in_progress"] ?? 0) rows leased, \(open) ledger attempts open, "
                            + "\(counts["created"] ?? 0)/\(rowCount) created")
                    if result.status == 128 + SIGKILL { killsLanded += 1 }
                    try await CampaignInvariants.check(
                        harness, batch: batch, expectedRows: rowCount, settled: false,
                        campaign: "crash (after kill \(kill))",
                        injected: "SIGKILL", announce: false)
                    // The dead worker's leases must run out before the next worker may take its rows back.
                    try await Task.sleep(for: .seconds(lease + 0.6))
                }
                #expect(killsLanded == kills, "every kill should land while the batch is still running")

                outputs.append(
                    try await CampaignInvariants.finishBatch(
                        harness, batch: batch, rows: rowCount, arguments: options, name: "crash-final"))
                outputs.append(SecretScanner.takeMetrics(metrics, source: "the final run"))
                let report = try await CampaignInvariants.check(
                    harness, batch: batch, expectedRows: rowCount, campaign: "crash",
                    injected: "\(kills) × SIGKILL of the worker at random moments (seeded)")
                let reclaimed = try await harness.attempts(batch: batch).filter { $0.outcome == "lease_expired" }
                #expect(!reclaimed.isEmpty, "killed workers' rows should have come back through lease expiry")
                // A duplicate needs a call whose answer was lost: a killed worker's, or (on a loaded machine) a timeout.
                let unknown = try await harness.attempts(batch: batch).filter { $0.outcome == "unknown_outcome" }
                #expect(report.duplicatesObserved <= reclaimed.count + unknown.count)

                try await SecretScanner.expectClean(outputs, harness: harness, batch: batch, campaign: "crash")
            }
        }
    }
}
