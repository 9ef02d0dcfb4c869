import Foundation

extension PostgresValue {
    /// The parameter's text form, or `nil` for SQL `NULL`.
    ///
    /// - Throws: ``PostgresError`` `.invalidParameter` for text containing NUL, which PostgreSQL cannot store.
    func encodedText() throws -> String? {
        switch self {
        case .null: return nil
        case .text(let value): return try Self.checkedText(value)
        case .bigint(let value): return String(value)
        case .integer(let value): return String(value)
        case .boolean(let value): return value ? "t" : "f"
        case .double(let value): return Self.encodeDouble(value)
        case .timestamp(let value): return PostgresTimestamp.format(value)
        case .jsonb(let value): return try Self.checkedText(value)
        case .bigintArray(let values): return PostgresArrayLiteral.encode(values.map { $0.map(String.init) })
        case .textArray(let values):
            return PostgresArrayLiteral.encode(try values.map { try $0.map(Self.checkedText) })
        }
    }

    /// The parameter's type as sent to the server; text is left untyped (0) so the server can infer it.
    var typeOID: PostgresDataType {
        switch self {
        case .null, .text: return .unspecified
        case .bigint: return .int8
        case .integer: return .int4
        case .boolean: return .bool
        case .double: return .float8
        case .timestamp: return .timestamptz
        case .jsonb: return .jsonb
        case .bigintArray: return .int8Array
        case .textArray: return .textArray
        }
    }

    private static func checkedText(_ value: String) throws -> String {
        guard !value.utf8.contains(0) else {
            throw PostgresError(
                code: .invalidParameter,
                message: "A text parameter contains a NUL character, which PostgreSQL text cannot hold. "
                    + "Strip it, or store the value as bytea.")
        }
        return value
    }

    private static func encodeDouble(_ value: Double) -> String {
        if value.isNaN { return "NaN" }
        if value.isInfinite { return value < 0 ? "-Infinity" : "Infinity" }
        // Swift's description is the shortest text that reads back to the same Double.
        return value.description
    }
}
