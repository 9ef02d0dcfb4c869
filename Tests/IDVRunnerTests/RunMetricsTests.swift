import Foundation
import IDVLogging
import Logging
import PostgresClient
import Prometheus
import TestSupport
import Testing
import YotiSandbox

@testable import IDVRunner

/// The runner's and the sweep's metrics, through swift-metrics into a Prometheus registry of the
/// test's own (no global bootstrap), checked against what the database says happened.
@Suite("Run and expiry metrics (PostgreSQL + sandbox)", .serialized)
struct RunMetricsTests {
    /// A registry and a factory over it with the runner's histogram buckets, as the CLI builds them.
    static func prometheus() -> (PrometheusCollectorRegistry, PrometheusMetricsFactory) {
        let registry = PrometheusCollectorRegistry()
        var factory = PrometheusMetricsFactory(registry: registry)
        factory.durationHistogramBuckets = RunMetrics.durationHistogramBuckets
        return (registry, factory)
    }

    static let callOutcomes = [
        "created", "transient", "rate_limited", "permanent", "credentials", "unknown_outcome", "interrupted",
    ]

    @Test("a run with 5xx, 429 and resets: the exposition parses, and its counts match idv.attempts and the rows")
    func runMetricsMatchTheDatabase() async throws {
        let faults = SandboxBehaviour.FaultRates(
            internalServerError: 0.05, serviceUnavailable: 0.08, tooManyRequests: 0.06, resetAfterCreating: 0.03)
        try await RunnerHarness.with(behaviour: .faulty(faults, seed: 6)) { harness in
            let batch = RunnerHarness.batchID("metrics")
            try await harness.enqueue(batch: batch, count: 240)
            let (registry, factory) = Self.prometheus()
            var configuration = harness.configuration(batch: batch, concurrency: 16)
            configuration.rate = 150  // paced sends wait for their slot: rate-limit waits are measured
            configuration.metrics = RunMetrics(factory: factory)
            let lines = LogLines()
            var logger = Logger(label: "idv-batch.run") { JSONLogHandler(label: $0) { lines.append($0) } }
            logger.logLevel = .debug
            let summary = try await Runner(
                configuration: configuration, database: harness.pool, sessions: harness.recorder, logger: logger
            ).execute()

            let text = try PrometheusText(registry.emitToString())
            for (name, type) in [
                ("idv_rows_total", "counter"), ("idv_attempts_total", "counter"),
                ("idv_call_duration_seconds", "histogram"),
                ("idv_sessions_created_total", "counter"), ("idv_possible_duplicates_total", "counter"),
                ("idv_rate_limit_waits_total", "counter"), ("idv_rate_limit_wait_seconds_total", "counter"),
                ("idv_run_duration_seconds", "gauge"), ("idv_run_exit_code", "gauge"),
                ("idv_leases_reclaimed_total", "counter"),
            ] {
                #expect(text.types[name] == type, "# TYPE \(name) \(type)")
            }
            #expect(text.histogramProblems().isEmpty, "\(text.histogramProblems())")
            // The buckets are the runner's: 50 ms … 30 s.
            let les = Set(text.samples("idv_call_duration_seconds_bucket").compactMap { $0.labels["le"] })
            #expect(les.contains("0.05") && les.contains("30.0") && les.contains("+Inf"), "\(les)")
            // Labels are bounded: never a row id, session id or batch.
            let labelNames = Set(text.samples.flatMap(\.labels.keys))
            #expect(labelNames.isSubset(of: ["outcome", "class", "http_status", "le", "operation"]), "\(labelNames)")

            // Every ledger attempt was one HTTP call: one histogram observation and one attempt count each.
            let ledger = try await harness.attempts(batch: batch)
            #expect(Int(text.sum("idv_call_duration_seconds_count")) == ledger.count)
            #expect(Int(text.sum("idv_attempts_total")) == ledger.count)
            for outcome in Self.callOutcomes {
                let inLedger = ledger.filter { $0.outcome == outcome }
                #expect(Int(text.sum("idv_attempts_total", ["class": outcome])) == inLedger.count, "class \(outcome)")
                for status in Set(inLedger.map { $0.httpStatus.map(String.init) ?? "none" }) {
                    let expected = inLedger.filter { ($0.httpStatus.map(String.init) ?? "none") == status }.count
                    #expect(Int(text.sum("idv_attempts_total", ["class": outcome, "http_status": status])) == expected)
                }
            }
            #expect(
                text.sum("idv_attempts_total", ["class": "transient", "http_status": "503"]) > 0, "the faults happened")
            #expect(text.sum("idv_attempts_total", ["class": "rate_limited", "http_status": "429"]) > 0)

            // Rows by outcome agree with the database and the summary.
            let createdRows = try await harness.statusCounts(batch: batch)["created"] ?? 0
            #expect(createdRows > 0)
            #expect(text.value("idv_rows_total", ["outcome": "created"]).map(Int.init) == createdRows)
            #expect(text.value("idv_sessions_created_total").map(Int.init) == createdRows)
            #expect(text.value("idv_rows_total", ["outcome": "failed"]).map(Int.init) == summary.rowsFailed)
            #expect(text.value("idv_rows_total", ["outcome": "retry"]).map(Int.init) == summary.retriesScheduled)
            #expect(
                text.value("idv_rows_total", ["outcome": "released"]) == 0
                    && text.value("idv_rows_total", ["outcome": "lease_lost"]) == 0)
            #expect(
                text.value("idv_possible_duplicates_total").map(Int.init)
                    == ledger.filter { $0.outcome == "unknown_outcome" }.count)
            #expect(text.value("idv_possible_duplicates_total") ?? 0 > 0, "resets after creating are unknown outcomes")
            #expect(
                text.value("idv_rate_limit_waits_total") ?? 0 > 0
                    && text.value("idv_rate_limit_wait_seconds_total") ?? 0 > 0)
            #expect(text.value("idv_run_exit_code").map(Int32.init) == summary.exitCode)
            #expect(text.value("idv_run_duration_seconds") ?? 0 > 0)

            // A 429's retry line carries every failure key, with Yoti's values.
            let objects = try lines.objects()
            let retry = try #require(
                objects.first {
                    $0["msg"] as? String == "Retry scheduled" && $0["error.class"] as? String == "rate_limited"
                })
            #expect(retry["batch.id"] as? String == batch && retry["http.status"] as? String == "429")
            #expect(
                retry["yoti.code"] as? String == "TOO_MANY_REQUESTS"
                    && (retry["attempt"] as? String).flatMap(Int.init) != nil)
            let yotiRequestID = try #require(retry["yoti.request_id"] as? String)
            #expect(UUID(uuidString: yotiRequestID) != nil, "the sandbox's x-request-id")
            let rowIDs = Set(try await harness.rows(batch: batch).map { String($0.id) })
            #expect(rowIDs.contains(retry["request.id"] as? String ?? "-"))
            #expect(retry["run.id"] as? String == summary.runID.map(String.init) && retry["worker"] != nil)
            // Unknown outcomes are warnings with the same keys.
            let unknown = try #require(objects.first { $0["error.class"] as? String == "unknown_outcome" })
            #expect(
                unknown["level"] as? String == "warning" && unknown["request.id"] != nil
                    && unknown["http.status"] as? String == "-")
        }
    }

    @Test("an expiry sweep counts rows expired and remote deletes by outcome")
    func expiryMetrics() async throws {
        try await RunnerHarness.with { harness in
            let batch = RunnerHarness.batchID("expiry-metrics")
            try await harness.enqueue(batch: batch, count: 6)
            _ = try await harness.run(harness.configuration(batch: batch))
            // Sessions Yoti never had: their deletes are 404s.
            try await SeededRows.created(
                harness.pool, batch: batch, prefix: "gone-", count: 3, expiresAt: Date(timeIntervalSince1970: 1_000))
            let (registry, factory) = Self.prometheus()
            var options = ExpirySweeper.Options(asOf: Date().addingTimeInterval(365 * 86_400), deleteRemote: true)
            options.chunkSize = 4
            options.metrics = ExpiryMetrics(factory: factory)
            let report = try await ExpirySweeper(database: harness.postgres, options: options, deleter: harness.client)
                .sweep()
            #expect(report.expired == 9)

            let text = try PrometheusText(registry.emitToString())
            #expect(
                text.types["idv_expiry_rows_expired_total"] == "counter"
                    && text.types["idv_expiry_remote_deletes_total"] == "counter")
            #expect(text.types["idv_expiry_sweep_duration_seconds"] == "gauge")
            #expect(text.value("idv_expiry_rows_expired_total") == 9)
            #expect(text.value("idv_expiry_remote_deletes_total", ["outcome": "deleted"]) == 6)
            #expect(text.value("idv_expiry_remote_deletes_total", ["outcome": "not_found"]) == 3)
            #expect(text.value("idv_expiry_remote_deletes_total", ["outcome": "failed"]) == 0)
            #expect(text.value("idv_expiry_exit_code") == 0)
        }
    }

    @Test("a sync's successes count as idv_rows_total{outcome=fetched}, not as sessions created")
    func syncCountsFetchedRows() async throws {
        try await RunnerHarness.with { harness in
            let batch = RunnerHarness.batchID("metrics-sync")
            try await harness.enqueue(batch: batch, count: 12)
            #expect(try await harness.run(harness.configuration(batch: batch)).sessionsCreated == 12)
            let (registry, factory) = Self.prometheus()
            var configuration = harness.configuration(batch: batch)
            configuration.metrics = RunMetrics(factory: factory)
            let report = await ResultSync(
                configuration: configuration, database: harness.pool, fetcher: harness.client,
                staleAfter: .seconds(6 * 3600), logger: RunnerHarness.logger(label: "test.sync")
            ).execute(runID: nil)
            #expect(report.stopReason == .completed && report.checkedByState.values.reduce(0, +) == 12)

            let text = try PrometheusText(registry.emitToString())
            #expect(text.value("idv_rows_total", ["outcome": "fetched"]).map(Int.init) == 12)
            #expect(text.value("idv_rows_total", ["outcome": "created"]) == 0)
            #expect(text.value("idv_rows_total", ["outcome": "deleted"]) == 0)
            #expect(text.value("idv_sessions_created_total") == 0)
        }
    }

    @Test("a delete_session success counts as idv_rows_total{outcome=deleted}, not as a session created")
    func deleteCountsDeleted() throws {
        let (registry, factory) = Self.prometheus()
        let metrics = RunMetrics(factory: factory)
        metrics.rowSucceeded(successOutcome: "deleted")
        let text = try PrometheusText(registry.emitToString())
        #expect(text.value("idv_rows_total", ["outcome": "deleted"]) == 1)
        #expect(text.value("idv_rows_total", ["outcome": "created"]) == 0)
        #expect(text.value("idv_sessions_created_total") == 0)
    }
}
