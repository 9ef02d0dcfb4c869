import Foundation
import PostgresClient
import TestSupport
import Testing

/// Many row updates in one round trip: `UPDATE … FROM unnest($1::bigint[], $2::text[])`.
@Suite("Batched updates")
struct BatchUpdateTests {
    static let batchedUpdate = """
        UPDATE items SET label = u.label, touched = touched + 1
        FROM unnest($1::bigint[], $2::text[]) AS u(id, label)
        WHERE items.id = u.id
        """

    private func makeItems(_ count: Int, on connection: PostgresConnection) async throws {
        try await connection.execute(
            "CREATE TABLE items (id bigint PRIMARY KEY, label text, touched int NOT NULL DEFAULT 0)")
        try await connection.execute(
            "INSERT INTO items (id, label) SELECT g, 'old' FROM generate_series(1, $1::int) AS g", [.int(count)])
    }

    @Test("one statement applies a different value to each row, nasty strings and NULLs included")
    func correctness() async throws {
        try await TestDatabase.withEmptyDatabase { configuration throws in
            try await withConnection(configuration) { connection throws in
                try await makeItems(40, on: connection)
                let labels = ValueTextTests.nastyStrings
                let ids = (1...Int64(labels.count)).map { $0 * 2 }  // every other row
                let updated = try await connection.execute(Self.batchedUpdate, [.bigintArray(ids), .textArray(labels)])
                #expect(updated == labels.count)
                let rows = try await connection.query("SELECT id, label, touched FROM items ORDER BY id")
                for row in rows {
                    let id = try row.decode(Int64.self, "id")
                    if id % 2 == 0, let index = ids.firstIndex(of: id) {
                        #expect(try row.decode(String?.self, "label") == labels[index], "row \(id)")
                        #expect(try row.decode(Int.self, "touched") == 1)
                    } else {
                        #expect(try row.decode(String?.self, "label") == "old", "row \(id)")
                        #expect(try row.decode(Int.self, "touched") == 0)
                    }
                }
            }
        }
    }

    @Test("measure: 5,000 updates one statement per row vs one batched statement")
    func measure() async throws {
        let count = 5_000
        try await TestDatabase.withEmptyDatabase { configuration throws in
            try await withConnection(configuration) { connection throws in
                try await makeItems(count, on: connection)
                let clock = ContinuousClock()
                let perRowStart = clock.now
                try await connection.withTransaction { connection in
                    for id in 1...count {
                        try await connection.execute(
                            "UPDATE items SET label = $2, touched = touched + 1 WHERE id = $1",
                            [.int(id), .text("row-\(id)")])
                    }
                }
                let perRow = clock.now - perRowStart

                let ids = (1...Int64(count)).map { $0 }
                let labels = ids.map { "batch-\($0)" }
                let batchedStart = clock.now
                let updated = try await connection.execute(Self.batchedUpdate, [.bigintArray(ids), .textArray(labels)])
                let batched = clock.now - batchedStart

                #expect(updated == count)
                let check = try await connection.query(
                    "SELECT count(*) FILTER (WHERE label = 'batch-' || id AND touched = 2) AS ok FROM items")
                #expect(try check[0].decode(Int.self, "ok") == count)
                let ratio = perRow / batched
                print(
                    "batched update, \(count) rows: per-row \(perRow) (one transaction), batched \(batched), "
                        + "ratio \(String(format: "%.1f", ratio))x")
            }
        }
    }
}
