import Foundation
import PropertyBased
import Testing
import YotiAPI

@Suite("JSON parser")
struct JSONParserTests {
    @Test(
        "every JSON type",
        arguments: [
            ("null", JSONValue.null), ("true", .bool(true)), ("false", .bool(false)), ("0", .integer(0)),
            ("-12", .integer(-12)), ("\"\"", .string("")), ("\"plain\"", .string("plain")), ("[]", .array([])),
            ("{}", .object([:])), ("[1, \"a\", null, false]", .array([1, "a", nil, false])),
            (#"{"a": {"b": [{"c": []}]}}"#, ["a": ["b": [["c": []]]]] as JSONValue),
            (" \t\r\n {\"k\" :\n 1 } \n", ["k": 1] as JSONValue),
        ])
    func types(text: String, expected: JSONValue) throws {
        #expect(try JSONValue(jsonString: text) == expected)
        #expect(try JSONValue(jsonBytes: Array(text.utf8)) == expected)
    }

    @Test(
        "numbers: integers stay integers (also as 1.0 or 1e2), others are doubles",
        arguments: [
            ("9223372036854775807", JSONValue.integer(.max)), ("-9223372036854775808", .integer(.min)),
            ("9223372036854775808", .double(9_223_372_036_854_775_808)), ("1.0", .integer(1)), ("1e2", .integer(100)),
            ("1E+2", .integer(100)), ("2.5e1", .integer(25)), ("-0", .integer(0)), ("-0.0", .integer(0)),
            ("0.6", .double(0.6)), ("-1.5e-3", .double(-0.0015)), ("1e-400", .integer(0)),
            ("123456789.125", .double(123_456_789.125)),
        ])
    func numbers(text: String, expected: JSONValue) throws {
        #expect(try JSONValue(jsonString: text) == expected)
    }

    @Test(
        "escapes, including surrogate pairs",
        arguments: [
            (#""\" \\ \/ \b \f \n \r \t""#, "\" \\ / \u{08} \u{0C} \n \r \t"), (#""\u0041\u00e9\u4E2D""#, "Aé中"),
            (#""\ud83d\ude00 smile""#, "😀 smile"), (#""before \uD834\uDD1E after""#, "before 𝄞 after"),
            (#""é raw and \u00e9 escaped""#, "é raw and é escaped"), (#""\u0000""#, "\u{0}"),
        ])
    func escapes(text: String, expected: String) throws {
        #expect(try JSONValue(jsonString: text) == .string(expected))
    }

    @Test("a key repeated in one object keeps its first value")
    func duplicateKeys() throws {
        #expect(try JSONValue(jsonString: #"{"a": 1, "a": 2}"#) == ["a": 1])
    }

    @Test(
        "bad input names the problem with its line and column",
        arguments: [
            ("[1] x", 1, 5, "after the JSON value"), ("{\"a\": 1,}", 1, 9, "object key"), ("[1,]", 1, 4, "value"),
            ("{\"a\" 1}", 1, 6, "expected ':'"), ("[1\n, 2\n, tru]", 3, 3, "expected true"),
            ("\"open", 1, 1, "not closed"), ("01", 1, 1, "leading zeros"), ("1.", 1, 3, "after '.'"),
            ("-", 1, 2, "after '-'"), ("1e", 1, 3, "exponent"), ("1e400", 1, 1, "too large"), ("", 1, 1, "ends"),
            (#""\x""#, 1, 2, "invalid escape"), (#""\u12""#, 1, 2, "four hex digits"),
            (#""\ud800""#, 1, 2, "lone high surrogate"), (#""\udc00""#, 1, 2, "lone low surrogate"),
            (#""\ud800\u0041""#, 1, 2, "not followed by a low"), ("\"tab\there\"", 1, 5, "a tab inside a string"),
            ("{\"é\": x}", 1, 7, "where a value was expected"), ("[1 2]", 1, 4, "expected ',' or ']'"),
            ("{\"a\": 1 \"b\": 2}", 1, 9, "expected ',' or '}'"), ("{", 1, 2, "ends inside an object"),
        ])
    func errors(text: String, line: Int, column: Int, reason: String) {
        do {
            let value = try JSONValue(jsonString: text)
            Issue.record("\(text) parsed as \(value)")
        } catch {
            guard let error = error as? JSONParseError else {
                Issue.record("\(text): \(error)")
                return
            }
            #expect(error.line == line, "\(text): \(error)")
            #expect(error.column == column, "\(text): \(error)")
            #expect(error.reason.contains(reason), "\(text): \(error)")
            #expect(error.kind == .syntax)
            #expect("\(error)".hasSuffix("at line \(line), column \(column)"))
        }
    }

    @Test("bytes that are not UTF-8 inside a string are reported as such, at the bad byte")
    func invalidUTF8() {
        let bytes = Array(#"{"k": "ab"#.utf8) + [0xC3, 0x28] + Array(#""}"#.utf8)
        do {
            _ = try JSONValue(jsonBytes: bytes)
            Issue.record("invalid UTF-8 parsed")
        } catch {
            #expect((error as? JSONParseError)?.kind == .invalidUTF8)
            #expect((error as? JSONParseError)?.offset == 9)
        }
    }

    @Test("nesting is limited, so hostile input cannot exhaust the stack")
    func depth() throws {
        let fine = String(repeating: "[", count: 500) + String(repeating: "]", count: 500)
        #expect(throws: Never.self) { try JSONValue(jsonString: fine) }
        let deep = String(repeating: "[", count: 100_000)
        #expect { try JSONValue(jsonString: deep) } throws: { error in
            (error as? JSONParseError)?.reason.contains("nesting deeper than 512") == true
        }
    }

    @Test("agrees with Foundation's JSONSerialization on random documents, and round-trips")
    func agreesWithFoundation() async {
        await propertyCheck(count: 500, input: RandomJSON.value(depth: 4)) { value in
            let text = value.jsonString()
            let parsed = try JSONValue(jsonString: text)
            #expect(parsed == value)
            #expect(parsed.jsonString() == text)
            // Foundation reads the same text as the same structure (numbers compared as doubles).
            let foundation = try JSONSerialization.jsonObject(with: Data(text.utf8), options: [.fragmentsAllowed])
            #expect(Self.same(parsed, foundation), "\(text)")
        }
    }

    private static func same(_ value: JSONValue, _ object: Any) -> Bool {
        switch value {
        case .null: return object is NSNull
        case .bool(let b): return (object as? Bool) == b || (object as? NSNumber)?.boolValue == b
        // Foundation on Linux reads some numbers as NSDecimalNumber, whose doubleValue may be an ulp or two
        // off (-4442483193879026170 reads back as -4.4424831938790257e18): compare integers exactly as
        // integers, doubles to within a few ulps.
        case .integer(let i):
            guard let number = object as? NSNumber else { return false }
            return number.int64Value == Int64(i) || number.doubleValue == Double(i)
        case .double(let d):
            guard let number = object as? NSNumber else { return false }
            return number.doubleValue == d || abs(number.doubleValue - d) <= 4 * d.ulp
        case .string(let s): return (object as? String) == s
        case .array(let elements):
            guard let array = object as? [Any], array.count == elements.count else { return false }
            return zip(elements, array).allSatisfy { same($0, $1) }
        case .object(let members):
            guard let dictionary = object as? [String: Any], dictionary.count == members.count else { return false }
            return members.allSatisfy { key, member in dictionary[key].map { same(member, $0) } ?? false }
        }
    }
}

@Suite("JSON writer")
struct JSONWriterTests {
    /// What `jsonBytes()` wrote before it was a direct writer, and still must write byte for byte.
    private static func foundationBytes(_ value: JSONValue) throws -> [UInt8] {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return Array(try encoder.encode(value))
    }

    @Test("writes what JSONEncoder with sorted keys writes, on random documents")
    func matchesFoundation() async {
        await propertyCheck(count: 500, input: RandomJSON.value(depth: 4)) { value in
            let expected = try? Self.foundationBytes(value)
            #expect(value.jsonBytes() == expected)
        }
    }

    @Test("control characters, quotes, slashes, non-ASCII, key order and doubles as JSONEncoder writes them")
    func edges() throws {
        var control = ""
        for scalar in 0..<0x20 { control.unicodeScalars.append(Unicode.Scalar(UInt8(scalar))) }
        let value: JSONValue = [
            "text": .string(control + "\"\\/\u{7F}\u{2028}é😀"), "e\u{301}b": 1, "éa": 2, "B": 3, "a10": 4, "a9": 5,
            "doubles": [
                1e30, 1e-7, 0.1, 600.5, -0.5, 1e16, .double(.leastNonzeroMagnitude), 1.7976931348623157e308, 2.5e-5,
                1e21,
            ],
            "integers": [.integer(.max), .integer(.min), 0],
        ]
        #expect(value.jsonBytes() == (try Self.foundationBytes(value)))
        #expect(value.jsonString().contains(#"\u000b\f\r\u000e"#))
    }
}
