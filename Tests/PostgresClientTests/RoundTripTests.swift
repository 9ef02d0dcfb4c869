import Foundation
import PostgresClient
import TestSupport
import Testing

/// Every parameter type goes to the server and comes back through a typed decode.
@Suite("Parameters and typed rows against PostgreSQL")
struct RoundTripTests {
    /// Sends `value` as `$1::cast` and decodes the result column `v` as `Value`.
    private func roundTrip<Value: PostgresDecodable>(
        _ value: PostgresValue, _ cast: String, as type: Value.Type, on connection: PostgresConnection
    ) async throws -> Value {
        let rows = try await connection.query("SELECT $1::\(cast) AS v", [value])
        return try rows[0].decode(Value.self, "v")
    }

    @Test("scalars, NULLs, timestamps, jsonb and arrays round-trip")
    func roundTrips() async throws {
        let server = try await TestDatabase.server()
        try await withConnection(server.configuration) { connection throws in
            #expect(
                try await roundTrip("héllo, 'world' \\ \"x\"", "text", as: String.self, on: connection)
                    == "héllo, 'world' \\ \"x\"")
            #expect(try await roundTrip("", "text", as: String.self, on: connection) == "")
            #expect(try await roundTrip(.bigint(.max), "bigint", as: Int64.self, on: connection) == .max)
            #expect(try await roundTrip(.bigint(.min), "bigint", as: Int64.self, on: connection) == .min)
            #expect(try await roundTrip(.integer(-42), "integer", as: Int32.self, on: connection) == -42)
            #expect(try await roundTrip(.int(7), "smallint", as: Int.self, on: connection) == 7)
            #expect(try await roundTrip(true, "boolean", as: Bool.self, on: connection) == true)
            #expect(try await roundTrip(false, "boolean", as: Bool.self, on: connection) == false)
            for double in [0.1, -1e-300, 1.7976931348623157e308, 123_456.789] {
                #expect(try await roundTrip(.double(double), "float8", as: Double.self, on: connection) == double)
            }
            #expect(try await roundTrip(.double(.infinity), "float8", as: Double.self, on: connection) == .infinity)
            #expect(try await roundTrip(.double(.nan), "float8", as: Double.self, on: connection).isNaN)

            for seconds in [1_795_244_889.123456, 1_795_244_889.000001, -1234.5, 0, -62_167_219_200, 253_402_300_799.5]
            {
                let date = Date(timeIntervalSince1970: seconds)
                let back = try await roundTrip(.timestamp(date), "timestamptz", as: Date.self, on: connection)
                #expect(abs(back.timeIntervalSince1970 - seconds) < 0.000_001, "\(seconds)")
            }
            // The server's own fractional output parses too, not just what we sent.
            let fromServer = try await connection.query(
                "SELECT '2026-11-21 12:38:09.123456+05:30'::timestamptz AS t")
            #expect(
                abs(try fromServer[0].decode(Date.self, "t").timeIntervalSince1970 - 1_795_244_889.123456) < 0.000_001)

            let json = try await connection.query(
                "SELECT $1::jsonb AS doc, $1::jsonb ->> 'a' AS a", [try .jsonb(bytes: Array(#"{"b":1,"a":"x"}"#.utf8))])
            #expect(try json[0].decode(String.self, "doc") == #"{"a": "x", "b": 1}"#)
            #expect(try json[0].decode(String.self, "a") == "x")

            let ids: [Int64?] = [1, nil, .max, .min, 0]
            #expect(try await roundTrip(.bigintArray(ids), "bigint[]", as: [Int64?].self, on: connection) == ids)
            #expect(try await roundTrip(.bigintArray([Int64]()), "bigint[]", as: [Int64].self, on: connection) == [])
            let strings = ValueTextTests.nastyStrings
            #expect(try await roundTrip(.textArray(strings), "text[]", as: [String?].self, on: connection) == strings)
            // The server sees the same elements we meant, not a re-split of the literal.
            let count = try await connection.query(
                "SELECT cardinality($1::text[]) AS n, $1::text[] @> ARRAY['a,b', '{}', 'NULL'] AS has",
                [.textArray(strings)])
            #expect(try count[0].decode(Int.self, "n") == strings.count)
            #expect(try count[0].decode(Bool.self, "has"))
        }
    }

    @Test("NULL decodes as nil for every type, and as an error for non-optionals")
    func nulls() async throws {
        let server = try await TestDatabase.server()
        try await withConnection(server.configuration) { connection throws in
            let rows = try await connection.query(
                "SELECT $1::text AS t, $1::bigint AS i, $1::boolean AS b, $1::float8 AS d, $1::timestamptz AS ts, "
                    + "$1::jsonb AS j, $1::bigint[] AS ia, $1::text[] AS ta", [nil])
            let row = rows[0]
            #expect(try row.decode(String?.self, "t") == nil)
            #expect(try row.decode(Int64?.self, "i") == nil)
            #expect(try row.decode(Bool?.self, "b") == nil)
            #expect(try row.decode(Double?.self, "d") == nil)
            #expect(try row.decode(Date?.self, "ts") == nil)
            #expect(try row.decode(String?.self, "j") == nil)
            #expect(try row.decode([Int64]?.self, "ia") == nil)
            #expect(try row.decode([String]?.self, "ta") == nil)
            #expect(try row.isNull("t"))
            let error = try #require(throws: PostgresError.self) { try row.decode(Int64.self, "i") }
            #expect(error.code == .unexpectedNull)
            #expect(error.message.contains("'i'"))
            let nullElement = try #require(throws: PostgresError.self) {
                try rows[0].decode([Int64].self, at: 6)
            }
            #expect(nullElement.code == .unexpectedNull)
        }
    }

    @Test("a type mismatch or unknown column names the column and the fix")
    func mismatches() async throws {
        let server = try await TestDatabase.server()
        try await withConnection(server.configuration) { connection throws in
            let rows = try await connection.query(
                "SELECT 'abc'::text AS label, 5::bigint AS n, now()::timestamp AS local, ARRAY[NULL, 1]::bigint[] AS ids"
            )
            let row = rows[0]
            let textAsInt = try #require(throws: PostgresError.self) { try row.decode(Int64.self, "label") }
            #expect(textAsInt.code == .typeMismatch)
            #expect(textAsInt.message.contains("'label'") && textAsInt.message.contains("text"))
            let intAsString = try #require(throws: PostgresError.self) { try row.decode(String.self, "n") }
            #expect(intAsString.code == .typeMismatch)
            #expect(intAsString.message.contains("::text"))
            let plainTimestamp = try #require(throws: PostgresError.self) { try row.decode(Date.self, "local") }
            #expect(plainTimestamp.code == .typeMismatch)
            let missing = try #require(throws: PostgresError.self) { try row.decode(Int64.self, "nope") }
            #expect(missing.code == .columnNotFound)
            #expect(missing.message.contains("label, n, local, ids"))
            #expect(try row.decode([Int64?].self, "ids") == [nil, 1])
            #expect(try row.decode(Int64.self, at: 1) == 5)
        }
    }

    @Test("text containing NUL is refused before anything is sent")
    func nulCharacter() async throws {
        let server = try await TestDatabase.server()
        try await withConnection(server.configuration) { connection throws in
            let error = await #expect(throws: PostgresError.self) {
                try await connection.query("SELECT $1::text", [.text("a\u{0}b")])
            }
            #expect(error?.code == .invalidParameter)
            #expect(try await connection.query("SELECT 1 AS one")[0].decode(Int.self, "one") == 1)
        }
    }
}
