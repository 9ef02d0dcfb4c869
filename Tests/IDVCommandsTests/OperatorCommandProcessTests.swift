import Foundation
import PostgresClient
import TestSupport
import Testing

/// `pause`, `resume`, `cancel` and a paused `run` as real `idv-batch` processes: output, exit codes, audit trail.
@Suite("Operator control (processes)", .serialized)
struct OperatorCommandProcessTests {
    @Test("pause → run exits 5 naming the batch → status shows it → resume → run creates; cancel records who")
    func pauseRunResumeCancel() async throws {
        try await CommandHarness.with { harness in
            let batch = CommandHarness.batchID("ops")
            try await harness.enqueue(batch: batch, count: 5)
            let environment = IDVBatchProcess.environment(["DATABASE_URL": harness.postgres.unredactedConnectionString])
            func idv(_ arguments: [String], _ name: String) async throws -> (status: Int32, output: String) {
                let result = try await IDVBatchProcess.launch(arguments, environment: environment, name: name).wait()
                return (result.status, result.output)
            }

            let paused = try await idv(["pause", batch, "--by", "alice", "--reason", "wrong template"], "pause")
            #expect(
                paused.status == 0 && paused.output.contains("Paused batch \(batch): 5 pending rows wait"),
                "\(paused.output)")
            let again = try await idv(["pause", batch], "pause-again")
            #expect(again.status == 0 && again.output.contains("already paused by alice"), "\(again.output)")

            let run = try await harness.startRun(batch: batch, name: "paused-run").wait()
            #expect(run.status == 5, "\(run.output)")
            #expect(run.output.contains("Batch \(batch) is paused by alice (wrong template)"), "\(run.output)")
            #expect(run.output.contains("idv-batch resume \(batch)"), "\(run.output)")
            #expect(harness.sandbox.sessions().isEmpty)

            let status = try await idv(["status", batch], "status")
            #expect(
                status.output.contains("PAUSED since") && status.output.contains("pause by alice: wrong template"),
                "\(status.output)")

            let resumed = try await idv(["resume", batch, "--by", "bob"], "resume")
            #expect(
                resumed.status == 0 && resumed.output.contains("Resumed batch \(batch) (paused by alice)"),
                "\(resumed.output)")
            let finished = try await harness.startRun(
                batch: batch, arguments: ["--max-sessions", "2"], name: "resumed-run"
            ).wait()
            #expect(finished.status == 4, "\(finished.output)")  // budget reached with work left

            let cancelled = try await idv(["cancel", batch, "--by", "carol", "--reason", "withdrawn"], "cancel")
            #expect(
                cancelled.status == 0
                    && cancelled.output.contains("Cancelled 3 rows of batch \(batch) (was: pending 3)"),
                "\(cancelled.output)")
            #expect(try await harness.statusCounts(batch: batch) == ["created": 2, "cancelled": 3])
            let actors = try await harness.pool.query(
                "SELECT action || ':' || actor AS a FROM idv.batch_actions WHERE batch_id = $1 ORDER BY id",
                [.text(batch)]
            ).map { try $0.decode(String.self, "a") }
            #expect(actors == ["pause:alice", "resume:bob", "cancel:carol"])
            let unknown = try await idv(["pause", "no-such-batch"], "unknown")
            #expect(unknown.status == 2, "\(unknown.output)")
        }
    }
}
