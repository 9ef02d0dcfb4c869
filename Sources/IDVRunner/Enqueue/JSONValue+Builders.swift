import Foundation
import YotiAPI

extension JSONValue {
    /// `value` mapped by `make`, or `null`.
    static func optional<Wrapped>(_ value: Wrapped?, _ make: (Wrapped) -> JSONValue) -> JSONValue {
        value.map(make) ?? .null
    }

    /// An integer.
    static func int(_ value: Int) -> JSONValue { .integer(Int64(value)) }

    /// Pretty-printed JSON with sorted keys: what the operating commands print for `--json`, stable for
    /// scripts and diffs.
    package func prettyString() -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        // Only a non-finite double can fail to encode, and no report holds one; fall back to compact JSON.
        guard let data = try? encoder.encode(self) else { return jsonString() }
        return String(decoding: data, as: UTF8.self)
    }
}
