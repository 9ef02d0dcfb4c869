import Foundation
import Logging
import PostgresClient
import Prometheus
import TestSupport
import Testing
import YotiSandbox

@testable import IDVRunner

/// The follow-through in the metrics (`idv_follow_through_rows_total` by operation and outcome, apart
/// from sessions created) and in the progress line (the step's name and its success word).
@Suite("In-Branch follow-through metrics and progress (PostgreSQL + sandbox)", .serialized)
struct InBranchMetricsTests {
    @Test("a run with follow-through: sessions counted once, each step's rows by operation and outcome")
    func metricsText() async throws {
        try await RunnerHarness.with { harness in
            let batch = RunnerHarness.batchID("ibv-metrics")
            let letters = try InBranchFollowThroughTests.temporaryDirectory()
            defer { try? FileManager.default.removeItem(at: letters) }
            for index in 1...5 {
                try await InBranchFollowThroughTests.insert(
                    harness, batch: batch, ref: "r\(index)", instructions: InBranchFollowThroughTests.instructions())
            }
            // One row fails the instructions (bad email): counted as failed for ibv_instructions.
            try await InBranchFollowThroughTests.insert(
                harness, batch: batch, ref: "bad", instructions: InBranchFollowThroughTests.instructions(email: "x"))
            let (registry, factory) = RunMetricsTests.prometheus()
            var configuration = harness.configuration(batch: batch)
            configuration.followThrough = .save(directory: letters)
            configuration.metrics = RunMetrics(factory: factory)
            let summary = try await Runner(
                configuration: configuration, database: harness.pool, sessions: harness.recorder,
                instructions: harness.client, logger: RunnerHarness.logger(label: "test.ibv.metrics")
            ).execute()
            #expect(summary.followThrough?.states == ["letter_saved": 5, "failed": 1])

            let text = try PrometheusText(registry.emitToString())
            #expect(text.types[RunMetrics.Name.followThroughRows] == "counter")
            func rows(_ operation: String, _ outcome: String) -> Int? {
                text.value(RunMetrics.Name.followThroughRows, ["operation": operation, "outcome": outcome]).map(
                    Int.init)
            }
            #expect(rows("ibv_configuration", "configured") == 6)
            #expect(rows("ibv_instructions", "sent") == 5)
            #expect(rows("ibv_instructions", "failed") == 1)
            #expect(rows("ibv_letter", "letter_saved") == 5)
            #expect(rows("ibv_email", "emailed") == 0, "every outcome exists from the start, as zeros")
            #expect(rows("ibv_letter", "failed") == 0 && rows("ibv_letter", "retry") == 0)
            // Sessions are counted once: the follow-through's successes are not rows created.
            #expect(text.value("idv_rows_total", ["outcome": "created"]).map(Int.init) == 6)
            #expect(text.value("idv_sessions_created_total").map(Int.init) == 6)
            // Every follow-through call is an attempt, labelled by the step's ledger outcome.
            #expect(text.sum("idv_attempts_total", ["class": "sent"]) == 5)
            #expect(text.sum("idv_attempts_total", ["class": "letter_saved"]) == 5)
        }
    }

    @Test("the progress line names the step and what a success is")
    func progressLine() {
        let counters = SharedStepCounters(StepCounters(total: 10))
        counters.withLock {
            $0.succeeded = 4
            $0.failed = 1
        }
        let start = Date(timeIntervalSince1970: 1_000)
        let clock = RunnerClock(now: { start.addingTimeInterval(5) }, sleep: { _ in })
        let letters = ProgressReporter(
            mode: .silent, counters: counters, clock: clock, logger: Logger(label: "test"), step: "ibv_letter",
            successWord: "letter_saved", startedAt: start)
        #expect(letters.line().hasPrefix("ibv_letter: 5/10 done (4 letter_saved, 1 failed)"), "\(letters.line())")
        let create = ProgressReporter(
            mode: .silent, counters: counters, clock: clock, logger: Logger(label: "test"), startedAt: start)
        #expect(create.line().hasPrefix("5/10 done (4 created, 1 failed)"), "\(create.line())")
    }
}
