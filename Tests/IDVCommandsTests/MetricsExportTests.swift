import CoreMetrics
import Foundation
import IDVRunner
import Logging
import TestSupport
import Testing

@testable import IDVCommands

/// What an operator alerts on in the metrics file: help on every metric, the last success kept across
/// failed runs, and the `instance` label of `--metrics-instance`. Checked by parsing the file.
@Suite("Metrics file content")
struct MetricsExportTests {
    static let logger = Logger(label: "test") { _ in SwiftLogNoOpLogHandler() }

    static func temporaryPath() -> String {
        FileManager.default.temporaryDirectory.appendingPathComponent("idv-export-\(UUID().uuidString.prefix(8)).prom")
            .path
    }

    /// One command's export: metrics recorded, `body` run, the file parsed.
    static func runOnce(path: String, instance: String?, exitCode: Int32) async throws -> PrometheusText {
        var settings = ObservabilitySettings()
        settings.metricsFile = path
        settings.metricsInstance = instance
        let export = try await MetricsExport.prepare(settings)
        let metrics = RunMetrics(factory: export.factory)
        Counter(label: RunMetrics.Name.sessionsCreated, factory: export.factory).increment()
        Counter(
            label: RunMetrics.Name.attempts, dimensions: [("class", "success"), ("http_status", "201")],
            factory: export.factory
        ).increment()
        CoreMetrics.Timer(
            label: RunMetrics.Name.callDuration, dimensions: [("class", "success")], factory: export.factory
        )
        .recordMilliseconds(120)
        _ = try await export.around(logger: logger, exitCode: metrics.recordExitCode) { exitCode }
        return try PrometheusText(String(contentsOfFile: path, encoding: .utf8))
    }

    @Test("every metric in the file has # HELP text, and the file parses")
    func helpEverywhere() async throws {
        let path = Self.temporaryPath()
        defer { try? FileManager.default.removeItem(atPath: path) }
        let metrics = try await Self.runOnce(path: path, instance: nil, exitCode: 0)
        #expect(!metrics.types.isEmpty)
        #expect(metrics.familiesWithoutHelp.isEmpty, "\(metrics.familiesWithoutHelp)")
        #expect(metrics.help["idv_sessions_created_total"]?.contains("Sessions") == true)
        #expect(metrics.types["idv_run_last_success_timestamp_seconds"] == "gauge")
        #expect(metrics.histogramProblems().isEmpty)
    }

    @Test("the last success is set by an exit 0 and survives a later failed run writing the same file")
    func lastSuccessSurvivesFailure() async throws {
        let path = Self.temporaryPath()
        defer { try? FileManager.default.removeItem(atPath: path) }
        let before = Date().timeIntervalSince1970.rounded(.down)
        let first = try await Self.runOnce(path: path, instance: "worker-a", exitCode: 0)
        let success = try #require(first.value("idv_run_last_success_timestamp_seconds", ["instance": "worker-a"]))
        #expect(success >= before && success <= Date().timeIntervalSince1970)
        let second = try await Self.runOnce(path: path, instance: "worker-a", exitCode: 3)
        #expect(second.value("idv_run_exit_code", ["instance": "worker-a"]) == 3)
        #expect(second.value("idv_run_last_success_timestamp_seconds", ["instance": "worker-a"]) == success)
    }

    @Test("--metrics-instance puts instance=NAME on every sample, escaped")
    func instanceLabel() async throws {
        let path = Self.temporaryPath()
        defer { try? FileManager.default.removeItem(atPath: path) }
        let metrics = try await Self.runOnce(path: path, instance: #"host-1 "b""#, exitCode: 1)
        #expect(!metrics.samples.isEmpty)
        #expect(metrics.samples.allSatisfy { $0.labels["instance"] == #"host-1 "b""# }, "\(metrics.samples.prefix(3))")
        #expect(metrics.value("idv_run_last_success_timestamp_seconds", ["instance": #"host-1 "b""#]) == 0)
        #expect(metrics.sum("idv_attempts_total", ["class": "success", "http_status": "201"]) == 1)
    }

    @Test("IDV_METRICS_FILE, IDV_LOG_LEVEL and IDV_LOG_FORMAT fill only what flags and job files left unset")
    func environmentFallbacks() {
        let environment = ["IDV_METRICS_FILE": "/tmp/x.prom", "IDV_LOG_LEVEL": "debug", "IDV_LOG_FORMAT": "json"]
        let resolved = ObservabilitySettings().withEnvironment(environment)
        #expect(resolved.metricsFile == "/tmp/x.prom" && resolved.logLevel == "debug" && resolved.logFormat == "json")
        var flags = ObservabilitySettings()
        flags.logLevel = "error"
        flags.metricsFile = "/tmp/flag.prom"
        let kept = flags.withEnvironment(environment)
        #expect(kept.logLevel == "error" && kept.metricsFile == "/tmp/flag.prom" && kept.logFormat == "json")
        #expect(ObservabilitySettings().withEnvironment(["IDV_LOG_LEVEL": ""]).logLevel == nil)
    }
}
