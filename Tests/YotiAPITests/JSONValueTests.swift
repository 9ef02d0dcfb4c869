import Testing
import YotiAPI

@Suite("JSONValue")
struct JSONValueTests {
    @Test(
        "scalars keep their JSON type through parse and serialise",
        arguments: [
            ("1", JSONValue.integer(1)), ("0", .integer(0)), ("-7", .integer(-7)), ("true", .bool(true)),
            ("false", .bool(false)), ("0.6", .double(0.6)), ("\"1\"", .string("1")), ("null", .null),
            ("9007199254740993", .integer(9_007_199_254_740_993)),
        ])
    func scalars(text: String, expected: JSONValue) throws {
        let parsed = try JSONValue(jsonString: text)
        #expect(parsed == expected)
        #expect(parsed.jsonString() == text)
    }

    @Test("serialisation is compact with sorted keys and unescaped slashes")
    func serialisation() throws {
        let value: JSONValue = ["b": 1, "a": ["url": "https://x.example/y", "list": [true, nil]]]
        #expect(value.jsonString() == #"{"a":{"list":[true,null],"url":"https://x.example/y"},"b":1}"#)
    }
}
