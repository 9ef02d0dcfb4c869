import PostgresClient
import TestSupport
import Testing

@Suite("COPY FROM STDIN")
struct CopyTests {
    /// Values that need the COPY text format's escapes, or that must pass through it untouched.
    static let awkward: [String?] = [
        "tab\there", "line\nbreak", "carriage\r\nreturn", #"back\slash \N \\ \t"#, "ünïcödé 😀 中文", "", nil,
        #"{"a": "quote \" and \\ escape"}"#, "trailing backslash \\",
    ]

    @Test("escaped values arrive byte for byte, NULL stays NULL, and the row count comes back")
    func escaping() async throws {
        let server = try await TestDatabase.server()
        try await withConnection(server.configuration) { connection throws in
            try await connection.execute("CREATE TEMPORARY TABLE copied (n int, a text, b text)")
            var text = PostgresCopyText()
            for (index, value) in Self.awkward.enumerated() {
                text.appendRow([String(index), value, "second \(index)\t"])
            }
            #expect(text.rowCount == Self.awkward.count)
            let copied = try await connection.copyIn("COPY copied (n, a, b) FROM STDIN", data: text.bytes)
            #expect(copied == Self.awkward.count)
            let rows = try await connection.query("SELECT n, a, b FROM copied ORDER BY n")
            #expect(rows.count == Self.awkward.count)
            for row in rows {
                let index = try row.decode(Int.self, "n")
                #expect(try row.decode(String?.self, "a") == Self.awkward[index])
                #expect(try row.decode(String.self, "b") == "second \(index)\t")
            }
        }
    }

    @Test("a refused row fails the COPY with the server's error and the connection stays usable")
    func refusedRow() async throws {
        let server = try await TestDatabase.server()
        try await withConnection(server.configuration) { connection throws in
            try await connection.execute("CREATE TEMPORARY TABLE numbers (n int)")
            var text = PostgresCopyText()
            text.appendRow(["1"])
            text.appendRow(["not a number"])
            await #expect(throws: PostgresError.self) {
                try await connection.copyIn("COPY numbers (n) FROM STDIN", data: text.bytes)
            }
            text.removeAll()
            #expect(text.bytes.isEmpty)
            text.appendRow(["2"])
            #expect(try await connection.copyIn("COPY numbers (n) FROM STDIN", data: text.bytes) == 1)
            #expect(try await connection.query("SELECT count(*)::int AS c FROM numbers")[0].decode(Int.self, "c") == 1)
        }
    }

    @Test("a plain query that turns out to be a COPY is still refused")
    func copyWithoutData() async throws {
        let server = try await TestDatabase.server()
        try await withConnection(server.configuration) { connection throws in
            try await connection.execute("CREATE TEMPORARY TABLE numbers (n int)")
            await #expect(throws: PostgresError.self) { try await connection.query("COPY numbers (n) FROM STDIN") }
            #expect(try await connection.query("SELECT 1 AS one")[0].decode(Int.self, "one") == 1)
        }
    }
}
