import Foundation
import PostgresClient
import TestSupport
import Testing

@Suite("Migrations")
struct MigratorTests {
    /// A private copy of sql/ that a test may edit.
    private func copyOfMigrations() throws -> URL {
        let copy = FileManager.default.temporaryDirectory.appendingPathComponent("idv-sql-\(UUID().uuidString)")
        try FileManager.default.copyItem(at: SharedPaths.migrations, to: copy)
        return copy
    }

    @Test("applies every file once; the second run is a no-op")
    func appliesOnce() async throws {
        let files = try Migrator(directory: SharedPaths.migrations).migrations()
        #expect(files.first?.fileName == "0001_initial.sql")
        try await TestDatabase.withEmptyDatabase { configuration throws in
            try await withConnection(configuration) { connection throws in
                let migrator = Migrator(directory: SharedPaths.migrations)
                let first = try await migrator.migrate(on: connection)
                #expect(first.applied.map(\.fileName) == files.map(\.fileName))
                #expect(first.alreadyApplied == 0)
                let second = try await migrator.migrate(on: connection)
                #expect(second.applied.isEmpty)
                #expect(second.alreadyApplied == files.count)
                let recorded = try await connection.query(
                    "SELECT version, name, checksum FROM idv.schema_migrations ORDER BY version")
                #expect(try recorded.map { try $0.decode(Int.self, "version") } == files.map(\.version))
                #expect(try recorded[0].decode(String.self, "checksum").count == 64)
                // The lock is released, so a later run elsewhere is not blocked.
                let locks = try await connection.query(
                    "SELECT count(*) AS n FROM pg_locks WHERE locktype = 'advisory' AND pid = pg_backend_pid()")
                #expect(try locks[0].decode(Int.self, "n") == 0)
            }
        }
    }

    @Test("a changed migration file is refused, naming the file, and nothing is applied")
    func changedFileRefused() async throws {
        let directory = try copyOfMigrations()
        defer { try? FileManager.default.removeItem(at: directory) }
        try await TestDatabase.withEmptyDatabase { configuration throws in
            try await withConnection(configuration) { connection throws in
                try await Migrator(directory: directory).migrate(on: connection)
                let file = directory.appendingPathComponent("0001_initial.sql")
                try (try String(contentsOf: file, encoding: .utf8) + "\n-- an edit\n").write(
                    to: file, atomically: true, encoding: .utf8)
                try "CREATE TABLE idv.should_not_exist (id int);".write(
                    to: directory.appendingPathComponent("9001_more.sql"), atomically: true, encoding: .utf8)
                let error = await #expect(throws: MigrationError.self) {
                    try await Migrator(directory: directory).migrate(on: connection)
                }
                #expect(error?.code == .changedMigration)
                #expect(error?.message.contains("0001_initial.sql") == true)
                #expect(error?.message.contains("new numbered migration") == true)
                let pending = try await connection.query("SELECT to_regclass('idv.should_not_exist') IS NULL AS absent")
                #expect(try pending[0].decode(Bool.self, "absent"))
            }
        }
    }

    @Test("a failing migration is rolled back entirely and named")
    func failingMigration() async throws {
        let directory = try copyOfMigrations()
        defer { try? FileManager.default.removeItem(at: directory) }
        try "CREATE TABLE idv.half (id int); SELECT * FROM idv.nope;".write(
            to: directory.appendingPathComponent("9002_broken.sql"), atomically: true, encoding: .utf8)
        try await TestDatabase.withEmptyDatabase { configuration throws in
            try await withConnection(configuration) { connection throws in
                let error = await #expect(throws: MigrationError.self) {
                    try await Migrator(directory: directory).migrate(on: connection)
                }
                #expect(error?.code == .failed)
                #expect(error?.message.contains("9002_broken.sql") == true)
                #expect(error?.underlying?.sqlState == PostgresError.SQLState.undefinedTable)
                let state = try await connection.query(
                    "SELECT to_regclass('idv.half') IS NULL AS absent, (SELECT count(*) FROM idv.schema_migrations) AS n"
                )
                #expect(try state[0].decode(Bool.self, "absent"))
                // Every real migration before the broken one stays applied.
                let real = try FileManager.default.contentsOfDirectory(atPath: SharedPaths.migrations.path)
                    .filter { $0.hasSuffix(".sql") }.count
                #expect(try state[0].decode(Int.self, "n") == real)
            }
        }
    }

    @Test("misnamed files and duplicate versions are refused before touching the database")
    func badDirectory() throws {
        let directory = try copyOfMigrations()
        defer { try? FileManager.default.removeItem(at: directory) }
        try "SELECT 1;".write(to: directory.appendingPathComponent("1_short.sql"), atomically: true, encoding: .utf8)
        #expect(throws: MigrationError.self) { try Migrator(directory: directory).migrations() }
        try FileManager.default.removeItem(at: directory.appendingPathComponent("1_short.sql"))
        try "SELECT 1;".write(to: directory.appendingPathComponent("0001_again.sql"), atomically: true, encoding: .utf8)
        let error = #expect(throws: MigrationError.self) { try Migrator(directory: directory).migrations() }
        #expect(error?.code == .duplicateVersion)
    }

    @Test("a plain INSERT of the public columns enqueues a pending row")
    func plainInsertEnqueues() async throws {
        try await TestDatabase.withMigratedDatabase { configuration throws in
            try await withConnection(configuration) { connection throws in
                let inserted = try await connection.query(
                    """
                    INSERT INTO idv.verification_requests (batch_id, external_ref, config_name, session_spec)
                    VALUES ($1, $2, $3, $4)
                    RETURNING id, status, attempts, next_attempt_at, created_at, updated_at, possible_duplicate
                    """,
                    ["onboarding-2026-11-21", "person-1", "no-such-config", try .jsonb(bytes: Array(#"{"x":1}"#.utf8))])
                let row = inserted[0]
                #expect(try row.decode(String.self, "status") == "pending")
                #expect(try row.decode(Int.self, "attempts") == 0)
                #expect(try row.decode(Date?.self, "next_attempt_at") != nil)
                #expect(try row.decode(Bool.self, "possible_duplicate") == false)
                let id = try row.decode(Int64.self, "id")
                let created = try row.decode(Date.self, "updated_at")

                let duplicate = await #expect(throws: PostgresError.self) {
                    try await connection.execute(
                        "INSERT INTO idv.verification_requests (batch_id, external_ref) VALUES ($1, $2)",
                        ["onboarding-2026-11-21", "person-1"])
                }
                #expect(duplicate?.sqlState == PostgresError.SQLState.uniqueViolation)
                let badState = await #expect(throws: PostgresError.self) {
                    try await connection.execute(
                        "UPDATE idv.verification_requests SET status = 'done' WHERE id = $1", [.bigint(id)])
                }
                #expect(badState?.sqlState == "23514")

                try await connection.execute("SELECT pg_sleep(0.01)")
                try await connection.execute(
                    "UPDATE idv.verification_requests SET status = 'cancelled' WHERE id = $1", [.bigint(id)])
                let after = try await connection.query(
                    "SELECT updated_at, nextval('idv.lease_fence') AS fence FROM idv.verification_requests WHERE id = $1",
                    [.bigint(id)])
                #expect(try after[0].decode(Date.self, "updated_at") > created)
                #expect(try after[0].decode(Int64.self, "fence") >= 1)
            }
        }
    }

    @Test("the claiming query uses the partial pending index")
    func claimUsesPartialIndex() async throws {
        try await TestDatabase.withMigratedDatabase { configuration throws in
            try await withConnection(configuration) { connection throws in
                try await connection.execute(
                    """
                    INSERT INTO idv.verification_requests (batch_id, external_ref, status)
                    SELECT 'b' || (g % 10), 'r' || g, CASE WHEN g % 100 = 0 THEN 'pending' ELSE 'created' END
                    FROM generate_series(1, 20000) AS g
                    """)
                try await connection.execute("ANALYZE idv.verification_requests")
                let plan = try await connection.query(
                    """
                    EXPLAIN SELECT id FROM idv.verification_requests
                    WHERE batch_id = 'b0' AND status = 'pending' ORDER BY id LIMIT 10 FOR UPDATE SKIP LOCKED
                    """)
                let text = try plan.map { try $0.decode(String.self, at: 0) }.joined(separator: "\n")
                // Either partial index over pending rows (0004 adds one in id order); never the primary key.
                #expect(
                    text.contains("verification_requests_pending_batch_idx")
                        || text.contains("verification_requests_pending_id_idx"), "\(text)")
            }
        }
    }
}
