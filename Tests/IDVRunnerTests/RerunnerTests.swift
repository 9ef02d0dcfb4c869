import Foundation
import PostgresClient
import TestSupport
import Testing
import YotiAPI

@testable import IDVRunner

/// `rerun`: only matching failed rows move back to pending, the rerun is recorded, and it is repeatable.
@Suite("Rerunner (PostgreSQL)")
struct RerunnerTests {
    /// Inserts `count` failed rows of `errorClass` (and `status`) into `batch`.
    static func seedFailed(
        _ database: MigratedDatabase, batch: String, prefix: String, count: Int, errorClass: String?, status: Int?
    ) async throws {
        try await database.pool.execute(
            """
            INSERT INTO idv.verification_requests
                (batch_id, external_ref, session_spec, status, attempts, error_class, last_http_status, last_error,
                 next_attempt_at)
            SELECT $1, $2 || g, $3::jsonb, 'failed', 6, $4, $5::int, 'failed for the test', now() - interval '1 day'
            FROM generate_series(1, $6::int) AS g
            """,
            [
                .text(batch), .text(prefix), .jsonb(TestSessionSpec.valid.jsonString()),
                errorClass.map { .text($0) } ?? .null,
                status.map { .int($0) } ?? .null, .int(count),
            ])
    }

    @Test("only failed rows matching class and status move back to pending with attempts reset; the rerun is recorded")
    func filteredRequeue() async throws {
        try await MigratedDatabase.with { database in
            try await Self.seedFailed(
                database, batch: "b", prefix: "t503-", count: 3, errorClass: "transient", status: 503)
            try await Self.seedFailed(
                database, batch: "b", prefix: "t500-", count: 2, errorClass: "transient", status: 500)
            try await Self.seedFailed(
                database, batch: "b", prefix: "rl-", count: 2, errorClass: "rate_limited", status: 429)
            try await Self.seedFailed(
                database, batch: "b", prefix: "perm-", count: 4, errorClass: "permanent", status: 400)
            try await Self.seedFailed(
                database, batch: "other", prefix: "t503-", count: 5, errorClass: "transient", status: 503)

            let rerunner = Rerunner(pool: database.pool)
            let filter = RerunFilter(
                errorClasses: RerunFilter.classes(fromList: "transient, rate-limited"), httpStatuses: [503, 429])
            #expect(try await rerunner.matchingRows(batchID: "b", filter: filter) == 5)
            #expect(try await database.count("SELECT 1 FROM idv.verification_requests WHERE status = 'pending'") == 0)
            let result = try await rerunner.requeue(batchID: "b", filter: filter, requestedBy: "ops@test")
            #expect(result.rowsRequeued == 5)
            #expect(result.requeuedByClass == ["transient": 3, "rate_limited": 2])
            #expect(result.failedRowsLeft == 6)

            let moved = try await database.pool.query(
                """
                SELECT external_ref, attempts, next_attempt_at <= now() AS due, last_error, error_class, lease_token
                FROM idv.verification_requests WHERE batch_id = 'b' AND status = 'pending' ORDER BY external_ref
                """)
            #expect(
                try moved.map { try $0.decode(String.self, "external_ref") } == [
                    "rl-1", "rl-2", "t503-1", "t503-2", "t503-3",
                ])
            for row in moved {
                #expect(try row.decode(Int.self, "attempts") == 0)
                #expect(try row.decode(Bool.self, "due"))
                // The reason stays until the next attempt replaces it.
                #expect(try row.decode(String?.self, "last_error") == "failed for the test")
            }
            #expect(
                try await database.count(
                    "SELECT 1 FROM idv.verification_requests WHERE batch_id = 'other' AND status = 'failed'") == 5)

            let recorded = try await database.pool.query(
                "SELECT batch_id, requested_by, filters::text AS filters, rows_requeued FROM idv.reruns")
            #expect(recorded.count == 1)
            #expect(try recorded[0].decode(String.self, "requested_by") == "ops@test")
            #expect(try recorded[0].decode(Int.self, "rows_requeued") == 5)
            let filters = try JSONValue(jsonString: try recorded[0].decode(String.self, "filters"))
            #expect(filters == ["error_classes": ["transient", "rate_limited"], "http_statuses": [429, 503]])
        }
    }

    @Test("a second rerun finds nothing to do, says so and records nothing")
    func repeatable() async throws {
        try await MigratedDatabase.with { database in
            try await Self.seedFailed(database, batch: "b", prefix: "x-", count: 3, errorClass: nil, status: nil)
            let rerunner = Rerunner(pool: database.pool)
            let first = try await rerunner.requeue(batchID: "b", filter: RerunFilter())
            #expect(first.rowsRequeued == 3 && first.requeuedByClass == ["unclassified": 3] && first.rerunID != nil)
            let second = try await rerunner.requeue(batchID: "b", filter: RerunFilter())
            #expect(second.rowsRequeued == 0 && second.rerunID == nil)
            #expect(second.render().hasPrefix("Nothing to rerun in batch b"))
            #expect(try await database.count("SELECT 1 FROM idv.reruns") == 1)
        }
    }

    @Test("an unknown batch and an unknown error class are usage errors (exit 2) that change nothing")
    func unknownBatchAndClass() async throws {
        try await MigratedDatabase.with { database in
            try await Self.seedFailed(
                database, batch: "b", prefix: "x-", count: 1, errorClass: "transient", status: 503)
            let rerunner = Rerunner(pool: database.pool)
            let unknownBatch = await #expect(throws: OperationError.self) {
                try await rerunner.requeue(batchID: "no-such-batch", filter: RerunFilter())
            }
            #expect(unknownBatch?.code == .unknownBatch && unknownBatch?.exitCode == 2)
            #expect(unknownBatch?.message.contains("no-such-batch") == true)
            let unknownClass = await #expect(throws: OperationError.self) {
                try await rerunner.requeue(batchID: "b", filter: RerunFilter(errorClasses: ["transiant"]))
            }
            #expect(unknownClass?.code == .usage && unknownClass?.message.contains("transient") == true)
            #expect(try await database.count("SELECT 1 FROM idv.verification_requests WHERE status = 'failed'") == 1)
            // A batch registered in idv.batches but without rows is known: nothing to do.
            try await database.pool.execute("INSERT INTO idv.batches (batch_id) VALUES ('empty')")
            #expect(try await rerunner.requeue(batchID: "empty", filter: RerunFilter()).rowsRequeued == 0)
        }
    }

    @Test("a rerun's rows are created by the runner and the run is linked to the rerun as kind rerun")
    func rerunThenRun() async throws {
        try await RunnerHarness.with { harness in
            let batch = RunnerHarness.batchID("rerun")
            try await harness.enqueue(batch: batch, count: 20)
            try await harness.pool.execute(
                """
                UPDATE idv.verification_requests SET status = 'failed', error_class = 'transient', last_http_status = 503,
                    attempts = 6, last_error = 'HTTP 503' WHERE batch_id = $1 AND external_ref IN ('ref-1', 'ref-2', 'ref-3')
                """, [.text(batch)])
            try await harness.pool.execute(
                "UPDATE idv.verification_requests SET status = 'cancelled' WHERE batch_id = $1 AND status = 'pending'",
                [.text(batch)])
            let rerunner = Rerunner(pool: harness.pool)
            let result = try await rerunner.requeue(batchID: batch, filter: RerunFilter(errorClasses: ["transient"]))
            #expect(result.rowsRequeued == 3)
            let summary = try await harness.run(harness.configuration(batch: batch))
            #expect(summary.sessionsCreated == 3 && summary.exitCode == 0)
            let runID = try #require(summary.runID)
            try await rerunner.recordRun(rerunID: try #require(result.rerunID), runID: runID)
            #expect(try await harness.statusCounts(batch: batch) == ["created": 3, "cancelled": 17])
            let linked = try await harness.pool.query(
                "SELECT r.kind FROM idv.reruns x JOIN idv.runs r ON r.id = x.run_id WHERE x.id = $1",
                [.bigint(result.rerunID!)])
            #expect(try linked.map { try $0.decode(String.self, "kind") } == ["rerun"])
        }
    }
}
