import Foundation

extension JSONValue {
    /// Parses one JSON document.
    /// - Throws: `DecodingError` when the bytes are not valid UTF-8 JSON.
    package init(jsonBytes bytes: some Sequence<UInt8>) throws {
        self = try JSONDecoder().decode(JSONValue.self, from: Data(bytes))
    }

    /// Parses one JSON document from a string.
    /// - Throws: `DecodingError` when the text is not valid JSON.
    package init(jsonString string: String) throws {
        try self.init(jsonBytes: Array(string.utf8))
    }

    /// Serialises this value as compact JSON with object keys sorted, so equal values give equal bytes.
    ///
    /// Sorted keys make bodies reproducible (signatures, logs, tests); slashes are not escaped.
    package func jsonBytes() -> [UInt8] {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        // Encoding a JSONValue cannot fail: every case maps to a JSON value, and non-finite doubles
        // are the only failure JSONEncoder knows, which `JSONValue(jsonBytes:)` never produces.
        guard let data = try? encoder.encode(self) else { return Array("null".utf8) }
        return Array(data)
    }

    /// ``jsonBytes()`` as a string.
    package func jsonString() -> String {
        String(decoding: jsonBytes(), as: UTF8.self)
    }

    /// The JSON type name used in messages (`an object`, `a string`, ...).
    package var typeDescription: String {
        switch self {
        case .null: return "null"
        case .bool: return "a boolean"
        case .integer: return "an integer"
        case .double: return "a number"
        case .string: return "a string"
        case .array: return "an array"
        case .object: return "an object"
        }
    }
}
