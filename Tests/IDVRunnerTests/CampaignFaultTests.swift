import Foundation
import PostgresClient
import TestSupport
import Testing
import YotiAPI
import YotiSandbox

@testable import IDVRunner

extension Campaigns {
    /// Campaign 3: the sandbox answers 20% of session creations with a mixed fault — 500, 503,
    /// 429, stalls, resets before and after creating the session, malformed 201 bodies — and a few rows
    /// carry invalid specs. Every valid row ends `created`, only the invalid ones `failed`.
    @Suite("Campaign: API faults", .serialized)
    struct CampaignFaultTests {
        /// 20% in all, spread over every kind of fault the sandbox can inject.
        static let mixedFaults = SandboxBehaviour.FaultRates(
            internalServerError: 0.03, serviceUnavailable: 0.03, tooManyRequests: 0.03, stall: 0.02,
            resetBeforeCreating: 0.03, resetAfterCreating: 0.03, malformedCreated: 0.03)

        @Test("20% mixed API faults plus invalid specs: every valid row created, only the invalid ones failed")
        func apiFaultCampaign() async throws {
            let validRows = CampaignMode.size(fast: 200, long: 2_000)
            var random = CampaignMode.generator("api-faults")
            let behaviour = SandboxBehaviour(
                latency: .milliseconds(10), jitter: .milliseconds(20), faults: Self.mixedFaults,
                stallDuration: .seconds(3), seed: random.next())
            try await RunnerHarness.with(behaviour: behaviour) { harness in
                let batch = RunnerHarness.batchID("faults")
                try await harness.addConfiguration(name: "standard", spec: TestSessionSpec.valid)
                try await harness.enqueue(
                    batch: batch, count: validRows, spec: nil, configName: "standard", prefix: "ok-")
                try await harness.enqueue(
                    batch: batch, count: 3, spec: ["client_session_token_ttl": 100], configName: "standard",
                    prefix: "ttl-")
                try await harness.enqueue(
                    batch: batch, count: 2, spec: ["requested_checks": [["type": 3]]], configName: "standard",
                    prefix: "type-")
                try await harness.enqueue(
                    batch: batch, count: 2, spec: nil, configName: "no-such-config", prefix: "config-")
                // Trapped the validator (ttl + 86400 overflowed) and so crash-looped every worker, before the fix.
                try await harness.enqueue(
                    batch: batch, count: 1, spec: ["client_session_token_ttl": .integer(.max)], configName: "standard",
                    prefix: "huge-")
                let invalidRows = 8

                // Enough attempts that no valid row runs out: a fault hits a call one time in five.
                let metrics = SecretScanner.metricsPath("faults")
                let result = try await harness.startRun(
                    batch: batch,
                    arguments: [
                        "--concurrency", "16", "--request-timeout", "5", "--max-attempts", "30", "--log-level", "debug",
                        "--log-format", "json", "--metrics-file", metrics,
                    ] + CampaignMode.pace,
                    name: "faults"
                ).wait()
                let metricsOutput = SecretScanner.takeMetrics(metrics, source: "the faulty run")
                #expect(metricsOutput.text.contains("# TYPE"), "the run should have written Prometheus metrics")
                #expect(result.status == 1, "failed rows make exit 1: \(result.output.suffix(2_000))")

                let rows = try await harness.rows(batch: batch)
                let valid = rows.filter { $0.externalRef.hasPrefix("ok-") }
                let invalid = rows.filter { !$0.externalRef.hasPrefix("ok-") }
                #expect(
                    valid.allSatisfy { $0.status == "created" },
                    "\(valid.filter { $0.status != "created" }.prefix(5).map { "\($0.externalRef): \($0.status) \($0.lastError ?? "")" })"
                )
                #expect(invalid.count == invalidRows)
                for row in invalid {
                    #expect(
                        row.status == "failed" && row.errorClass == "invalid_spec",
                        "\(row.externalRef): \(row.status) \(row.errorClass ?? "-")")
                    #expect(row.sessionID == nil && row.attempts == 0)
                }
                let stats = harness.sandbox.stats()
                let injected = stats.faultsInjected.values.reduce(0, +)
                #expect(
                    ["500", "503", "429", "stall", "reset_before", "reset_after", "malformed"].allSatisfy {
                        stats.faults($0) > 0
                    },
                    "every kind of fault should have been injected: \(stats.faultsInjected)")
                let kinds = stats.faultsInjected.sorted { $0.key < $1.key }.map { "\($0.key) \($0.value)" }.joined(
                    separator: ", ")
                let report = try await CampaignInvariants.check(
                    harness, batch: batch, expectedRows: validRows + invalidRows, campaign: "api-faults",
                    injected:
                        "20% mixed faults on \(stats.createRequests) calls: \(injected) injected (\(kinds)); \(invalidRows) invalid specs"
                )
                // Each answer lost after the session was made (reset after, malformed, stall) cost one extra session;
                // on a loaded machine a call can also time out after it was sent (flagged the same way).
                let lostAnswers = stats.faults("reset_after") + stats.faults("malformed") + stats.faults("stall")
                #expect(stats.sessionsCreated == validRows + report.duplicatesObserved)
                #expect(report.duplicatesObserved >= lostAnswers)

                try await SecretScanner.expectClean(
                    [("faulty run", result.output), metricsOutput], harness: harness, batch: batch,
                    campaign: "api-faults")
            }
        }
    }
}
