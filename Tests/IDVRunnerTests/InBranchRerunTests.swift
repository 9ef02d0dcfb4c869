import Foundation
import PostgresClient
import TestSupport
import Testing
import YotiAPI
import YotiSandbox

@testable import IDVRunner

/// `idv-batch rerun <batch> --follow-through`: failed follow-throughs back to the step they failed at,
/// recorded in `idv.reruns`, then run — through the built executable, as an operator runs it.
@Suite("rerun --follow-through (process + PostgreSQL + sandbox)", .serialized)
struct InBranchRerunTests {
    static func environment(_ harness: RunnerHarness) -> [String: String] {
        IDVBatchProcess.environment([
            "DATABASE_URL": harness.postgres.unredactedConnectionString, "YOTI_CLIENT_SDK_ID": RunnerHarness.sdkID,
            "YOTI_KEY_FILE_PATH": SharedPaths.ownerOnlyTestKey,
        ])
    }

    @Test("bad data fails the instructions; the data is fixed; rerun --follow-through → letter_saved, recorded")
    func rerunAfterFix() async throws {
        try await RunnerHarness.with { harness in
            let batch = RunnerHarness.batchID("ibv-rerun")
            let letters = try InBranchFollowThroughTests.temporaryDirectory()
            defer { try? FileManager.default.removeItem(at: letters) }
            try await InBranchFollowThroughTests.insert(
                harness, batch: batch, ref: "good", instructions: InBranchFollowThroughTests.instructions(first: "Good")
            )
            try await InBranchFollowThroughTests.insert(
                harness, batch: batch, ref: "fixme",
                instructions: InBranchFollowThroughTests.instructions(first: "Fixed", email: "not-an-email"))
            let summary = try await harness.run(harness.configuration(batch: batch))
            let first = await InBranchFollowThroughTests.followThrough(
                harness, batch: batch, letters: letters, runID: summary.runID)
            #expect(first.states == ["letter_saved": 1, "failed": 1])

            let base = ["rerun", batch, "--follow-through", "--api-url", harness.sandbox.idvBaseURL]
            let dry = try IDVBatchProcess.launch(
                base + ["--dry-run"], environment: Self.environment(harness), name: "rerun-dry")
            let dryResult = try await dry.wait()
            #expect(
                dryResult.status == 0 && dryResult.output.contains("1 failed follow-throughs"), "\(dryResult.output)")

            _ = try await harness.pool.query(
                "UPDATE idv.verification_requests SET ibv_instructions = $2::jsonb WHERE batch_id = $1 AND external_ref = 'fixme'",
                [.text(batch), .jsonb(InBranchFollowThroughTests.instructions(first: "Fixed").jsonString())])
            let rerun = try IDVBatchProcess.launch(
                base + ["--letters", letters.path, "--log-level", "warning"], environment: Self.environment(harness),
                name: "rerun-ft")
            let result = try await rerun.wait()
            #expect(result.status == 0, "\(result.output)")
            #expect(result.output.contains("Re-queued 1 failed follow-throughs"), "\(result.output)")

            try await InBranchInvariants.allLettersSaved(harness, batch: batch)
            try await InBranchInvariants.lettersWhole(
                harness, batch: batch, letters: letters, names: ["good": "Good", "fixme": "Fixed"])
            let ledger = try await InBranchFollowThroughTests.ledger(harness, batch: batch)
            // Resumed at the instructions: the configuration was not fetched again.
            #expect(ledger["ibv_configuration/configured"] == 2)
            #expect(ledger["ibv_instructions/sent"] == 2 && ledger["ibv_instructions/invalid_spec"] == 1)
            let recorded = try await harness.pool.query(
                """
                SELECT rr.filters::text AS filters, rr.rows_requeued, r.kind
                FROM idv.reruns rr JOIN idv.runs r ON r.id = rr.run_id WHERE rr.batch_id = $1
                """, [.text(batch)])
            #expect(recorded.count == 1)
            let record = try #require(recorded.first)
            #expect(try JSONValue(jsonString: record.decode(String.self, "filters")) == ["follow_through": true])
            #expect(try record.decode(Int.self, "rows_requeued") == 1)
            #expect(try record.decode(String.self, "kind") == "rerun")

            // Nothing left: says so, exits 0, records nothing.
            let again = try await IDVBatchProcess.launch(
                base + ["--letters", letters.path], environment: Self.environment(harness), name: "rerun-none"
            ).wait()
            #expect(again.status == 0 && again.output.contains("Nothing to rerun"), "\(again.output)")
        }
    }

    @Test("--follow-through with --only or --expired is a usage error (exit 2), nothing changed")
    func usage() async throws {
        let result = try await IDVBatchProcess.run(
            ["rerun", "some-batch", "--follow-through", "--only", "transient"], environment: [:])
        #expect(result.status == 2)
    }
}
