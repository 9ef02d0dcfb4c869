import Foundation
import LocalPostgres
import PostgresClient
import Testing
import YotiSandbox

@testable import IDVRunner

#if canImport(Glibc)
    import Glibc
#endif

extension Campaigns {
    /// Campaign 2: restart PostgreSQL under a running worker. The worker either reconnects and
    /// carries on, or exits 3 with every row safe; the next `run` completes the batch.
    @Suite("Campaign: database restarts", .serialized)
    struct CampaignDatabaseRestartTests {
        @Test(
            "restart PostgreSQL mid-run (seeded downtimes): the run carries on or exits 3 with every row safe; a rerun finishes"
        )
        func databaseRestartCampaign() async throws {
            let rowCount = CampaignMode.size(fast: 500, long: 3_000)
            var random = CampaignMode.generator("database-restart")
            // Downtimes from a blink to longer than the worker's patience for claims (about 30 s in all).
            let downtimes = CampaignMode.size(fast: [1.0], long: [0.5, 3, 10, 40])
            try await CampaignCluster.with { cluster in
                try await RunnerHarness.with(behaviour: .latency(.milliseconds(60)), database: cluster.database) {
                    harness in
                    let batch = RunnerHarness.batchID("dbrestart")
                    try await harness.enqueue(batch: batch, count: rowCount)
                    let lease = 3.0
                    let metrics = SecretScanner.metricsPath("dbrestart")
                    let options =
                        [
                            "--concurrency", "8", "--lease-seconds", "\(Int(lease))", "--log-level", "debug",
                            "--metrics-file", metrics,
                            "--metrics-interval", "1",
                        ] + CampaignMode.pace
                    var outputs: [(source: String, text: String)] = []
                    var exits: [Int32] = []
                    for (index, downtime) in downtimes.enumerated() {
                        let started = try await Self.statusCounts(harness, batch: batch)["created"] ?? 0
                        let worker = try harness.startRun(batch: batch, arguments: options, name: "dbrestart\(index)")
                        // Mid-run: once the worker is creating sessions, then at a random moment.
                        try await RunnerProcessTests.waitUntil(harness, batch: batch, createdAtLeast: started + 10)
                        let moment = Double.random(in: 0...0.8, using: &random)
                        try await Task.sleep(for: .seconds(moment))
                        let before = try await Self.statusCounts(harness, batch: batch)["created"] ?? 0
                        try await cluster.server.restart(downtime: .seconds(downtime))
                        // Carrying on means creating sessions again after the restart; then stop it ourselves
                        // (SIGTERM, exit 143) so the next restart also finds a worker mid-batch.
                        let carriedOn = try await Self.waitForProgress(
                            harness, batch: batch, beyond: before + 20, while: worker)
                        if carriedOn && Self.isRunning(worker.pid) { worker.send(SIGTERM) }
                        let result = try await worker.wait()
                        outputs += [
                            ("run \(index) (database down \(downtime) s)", result.output),
                            SecretScanner.takeMetrics(metrics, source: "run \(index)"),
                        ]
                        exits.append(result.status)
                        let counts = try await Self.statusCounts(harness, batch: batch)
                        print(
                            "campaign database-restart: restart \(index + 1) \(String(format: "%.2f", moment)) s into the run, "
                                + "down \(downtime) s: carried on \(carriedOn), exit \(result.status); \(counts)")
                        // Carried on (0 at the end, 143 when stopped by us), or gave up cleanly (3): never a crash or a hang.
                        #expect([0, 3, 143].contains(result.status), "\(result.output.suffix(3_000))")
                        #expect(carriedOn || result.status == 3, "the worker neither carried on nor gave up")
                        if result.status == 3 {
                            #expect(
                                result.output.contains("database") || result.output.contains("PostgreSQL"),
                                "\(result.output.suffix(1_000))")
                        }
                        try await CampaignInvariants.check(
                            harness, batch: batch, expectedRows: rowCount, settled: false,
                            campaign: "database-restart (after restart \(index + 1))", injected: "restart",
                            announce: false)
                        if counts["in_progress"] ?? 0 > 0 { try await Task.sleep(for: .seconds(lease + 0.6)) }
                    }
                    outputs.append(
                        try await CampaignInvariants.finishBatch(
                            harness, batch: batch, rows: rowCount, arguments: options, name: "dbrestart-final"))
                    try await CampaignInvariants.check(
                        harness, batch: batch, expectedRows: rowCount, campaign: "database-restart",
                        injected:
                            "\(downtimes.count) PostgreSQL restart(s) mid-run, down \(downtimes.map { "\($0)" }.joined(separator: "/")) s; "
                            + "worker exits \(exits.map(String.init).joined(separator: "/"))")
                    try await SecretScanner.expectClean(
                        outputs, harness: harness, batch: batch, campaign: "database-restart")
                }
            }
        }

        /// Waits until `target` rows are created (`true`), or the worker exits or 60 s pass (`false`).
        static func waitForProgress(
            _ harness: RunnerHarness, batch: String, beyond target: Int, while worker: SpawnedProcess
        ) async throws -> Bool {
            let deadline = ContinuousClock.now + .seconds(60)
            while ContinuousClock.now < deadline {
                if (try? await harness.statusCounts(batch: batch))?["created"] ?? 0 >= target { return true }
                if !isRunning(worker.pid) {
                    return (try await statusCounts(harness, batch: batch)["created"] ?? 0) >= target
                }
                try await Task.sleep(for: .milliseconds(100))
            }
            return false
        }

        /// Whether `pid` is alive and not yet a zombie (without reaping it: `wait()` does that).
        static func isRunning(_ pid: pid_t) -> Bool {
            guard let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8),
                let close = stat.lastIndex(of: ")")
            else { return false }
            return stat[stat.index(after: close)...].trimmingCharacters(in: .whitespaces).first != "Z"
        }

        /// Status counts, retried while the test's own pool finds its connections broken by the restart.
        static func statusCounts(_ harness: RunnerHarness, batch: String) async throws -> [String: Int] {
            for _ in 0..<20 {
                if let counts = try? await harness.statusCounts(batch: batch) { return counts }
                try await Task.sleep(for: .milliseconds(250))
            }
            return try await harness.statusCounts(batch: batch)
        }
    }
}
