import Foundation
import Testing

@testable import PostgresClient

@Suite("Array literals and timestamps (text formats)")
struct ValueTextTests {
    static let nastyStrings: [String?] = [
        "", "plain", "a,b", "{}", "}{", "\"quoted\"", "back\\slash", "\\\"", "NULL", "null", " spaced ",
        "ünïcødé ✓", "new\nline", "tab\there", nil, "'single'",
    ]

    @Test("text arrays survive encode then parse")
    func textArrayRoundTrip() throws {
        let literal = PostgresArrayLiteral.encode(Self.nastyStrings)
        #expect(try PostgresArrayLiteral.parse(literal) == Self.nastyStrings)
        #expect(PostgresArrayLiteral.encode([]) == "{}")
        #expect(PostgresArrayLiteral.encode([nil, "NULL"]) == "{NULL,\"NULL\"}")
    }

    @Test(
        "server-style literals parse",
        arguments: [
            ("{}", []),
            ("{1,2,3}", ["1", "2", "3"]),
            ("{NULL,null,\"NULL\"}", [nil, nil, "NULL"]),
            ("{\"a b\",\"c\\\"d\",\"e\\\\f\",\"\"}", ["a b", "c\"d", "e\\f", ""]),
            ("[0:1]={x,y}", ["x", "y"]),
            ("{ a , b }", ["a", "b"]),
        ] as [(String, [String?])])
    func parses(literal: String, expected: [String?]) throws {
        #expect(try PostgresArrayLiteral.parse(literal) == expected)
    }

    @Test(
        "malformed and multi-dimensional literals are refused",
        arguments: ["", "{", "1,2", "{{1,2},{3,4}}", "{\"a}", "{a,,b}"])
    func refuses(literal: String) {
        #expect(throws: PostgresArrayLiteral.ParseError.self) { try PostgresArrayLiteral.parse(literal) }
    }

    @Test(
        "timestamptz text parses, whatever the offset form",
        arguments: [
            ("2026-11-21 07:08:09+00", 1_795_244_889.0),
            ("2026-11-21 07:08:09.5+00", 1_795_244_889.5),
            ("2026-11-21 07:08:09.000001+00", 1_795_244_889.000001),
            ("2026-11-21 12:38:09.123456+05:30", 1_795_244_889.123456),
            ("2026-11-21 03:38:09-03:30", 1_795_244_889.0),
            ("1969-12-31 23:59:59.75+00", -0.25),
            ("1970-01-01 00:00:00+00:00:15", -15.0),
            ("2026-11-21T07:08:09Z", 1_795_244_889.0),
        ])
    func parsesTimestamps(text: String, seconds: Double) throws {
        let date = try #require(PostgresTimestamp.parse(text))
        #expect(abs(date.timeIntervalSince1970 - seconds) < 0.000_000_5)
    }

    @Test(
        "timestamps format with microseconds and +00",
        arguments: [
            (1_795_244_889.0, "2026-11-21 07:08:09+00"),
            (1_795_244_889.123456, "2026-11-21 07:08:09.123456+00"),
            (-0.25, "1969-12-31 23:59:59.750000+00"),
            (-62_167_219_200.0, "0001-01-01 00:00:00+00 BC"),
        ])
    func formatsTimestamps(seconds: Double, text: String) {
        #expect(PostgresTimestamp.format(Date(timeIntervalSince1970: seconds)) == text)
    }

    @Test(
        "garbage is not a timestamp",
        arguments: ["", "yesterday", "2026-13-01 00:00:00+00", "2026-11-21 07:08+00", "2026-11-21 07:08:09.+00"])
    func rejectsTimestamps(text: String) {
        #expect(PostgresTimestamp.parse(text) == nil)
    }
}
