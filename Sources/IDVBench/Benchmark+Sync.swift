import Foundation
import IDVCommands
import IDVRunner
import Logging
import PostgresClient
import YotiClient
import YotiSandbox

extension Benchmark {
    /// The batch of figure 9's rows.
    static let syncBatch = "bench-sync"
    /// Calls in flight in figure 9.
    static let syncConcurrency = 64

    /// Figure 8: `idv-batch sync` results per second at sandbox latency 100 ms against `concurrency / latency`,
    /// the most a window of that size can fetch — as figure 1 does for creation. `sizes.syncRows` sessions
    /// are seeded in the sandbox (60% completed, mixed outcomes) and their rows inserted set-based; the sync
    /// runs in this process (so its CPU is not separated from the sandbox's: the figure is throughput only).
    func syncThroughput() async throws -> [BenchFigure] {
        let rows = sizes.syncRows
        try sandbox.setBehaviour(
            SandboxBehaviour(
                latency: Self.boundLatency, seed: 8,
                applicants: ApplicantSimulation(
                    completeShare: 0.6, delay: .zero,
                    recommendationMix: .init(approve: 0.7, reject: 0.2, notAvailable: 0.1))))
        sandbox.reset()
        let sessions = sandbox.seedSessions(count: rows, sdkID: Self.sdkID)
        _ = try await pool.execute(
            """
            INSERT INTO idv.verification_requests
                (batch_id, external_ref, config_name, status, attempts, next_attempt_at, session_id, token_expires_at)
            SELECT $1, 'y' || n, $2, 'created', 1, NULL, s, now() + interval '1 hour'
            FROM unnest($3::text[]) WITH ORDINALITY AS t(s, n)
            """, [.text(Self.syncBatch), .text(Self.configName), .textArray(sessions)])
        _ = try await pool.execute("VACUUM ANALYZE idv.verification_requests")

        let client = try IDVClient(
            baseURL: sandbox.idvBaseURL, sdkID: Self.sdkID, key: key,
            options: IDVClient.Options(requestTimeout: .seconds(30), maxConnections: Self.syncConcurrency),
            logger: Logger(label: "idv-bench.sync") { _ in SwiftLogNoOpLogHandler() })
        var configuration = RunnerConfiguration(
            batches: [Self.syncBatch], concurrency: Self.syncConcurrency, requestTimeout: .seconds(30))
        configuration.metrics = .discarding
        let sync = ResultSync(
            configuration: configuration, database: pool, fetcher: client, staleAfter: .seconds(3600),
            logger: Logger(label: "idv-bench.sync") { _ in SwiftLogNoOpLogHandler() })
        let started = ContinuousClock.now
        let report = await sync.execute(runID: nil)
        let seconds = (ContinuousClock.now - started).secondsDouble
        try? await client.shutdown()
        try sandbox.setBehaviour(.healthy)
        guard report.stopReason == .completed, report.checked == rows else {
            throw CommandFailure(
                exitCode: 3,
                message: "The sync benchmark checked \(report.checked) of \(rows) sessions (\(report.stopReason)).")
        }
        let throughput = Double(rows) / seconds
        let ideal = Double(Self.syncConcurrency) / Self.boundLatency.secondsDouble
        let completed = report.checkedByState["COMPLETED", default: 0]
        return [
            BenchFigure(
                id: "9", name: "sync results/s, latency 100 ms, c=\(Self.syncConcurrency)", measured: throughput,
                unit: "/s", baseline: ideal, baselineUnit: "/s", ratio: throughput / ideal, goal: .ratioAtLeast(0.8),
                note: "\(BenchFigure.grouped(Double(rows))) GET /sessions/{id} in \(String(format: "%.1f", seconds)) s "
                    + "(\(completed) completed, the rest ongoing), marking and tallies included; in process")
        ]
    }
}
