import Foundation

/// A statement parameter, sent to the server in text format next to the SQL (never pasted into it).
///
/// Literals work where the type is obvious: `"text"`, `42`, `true`, `1.5`, `nil`.
/// For the rest use the factories: `.timestamp(date)`, `.jsonb(text)`, `.bigintArray(ids)`, `.textArray(names)`.
package enum PostgresValue: Sendable, Hashable {
    /// SQL `NULL` (of whatever type the statement expects).
    case null
    /// Text. Sent untyped, so the server may also read it as `jsonb`, a domain, `uuid`, and so on.
    case text(String)
    /// A `bigint` (`int8`). Compares and assigns to `integer`/`smallint` columns as well.
    case bigint(Int64)
    /// An `integer` (`int4`).
    case integer(Int32)
    /// A `boolean`.
    case boolean(Bool)
    /// A `double precision` (`float8`), including `Infinity` and `NaN`.
    case double(Double)
    /// A `timestamptz`, sent as ISO 8601 with microseconds and a `+00` offset (PostgreSQL's resolution).
    case timestamp(Date)
    /// A `jsonb` document given as its JSON text; the server validates it.
    case jsonb(String)
    /// A `bigint[]`; `nil` elements are SQL `NULL`.
    case bigintArray([Int64?])
    /// A `text[]`; `nil` elements are SQL `NULL`. Quotes, backslashes, commas, braces and empty strings are safe.
    case textArray([String?])

    /// A `jsonb` parameter from UTF-8 JSON bytes (as produced by `JSONEncoder`).
    ///
    /// - Throws: ``PostgresError`` `.invalidParameter` if the bytes are not valid UTF-8.
    package static func jsonb(bytes: some Collection<UInt8>) throws -> PostgresValue {
        guard let text = String(validating: bytes, as: UTF8.self) else {
            throw PostgresError(
                code: .invalidParameter,
                message: "A jsonb parameter is not valid UTF-8. Encode JSON as UTF-8 (JSONEncoder does).")
        }
        return .jsonb(text)
    }

    /// A `bigint` parameter from an `Int`.
    package static func int(_ value: Int) -> PostgresValue { .bigint(Int64(value)) }

    /// A `bigint[]` parameter without NULL elements.
    package static func bigintArray(_ values: [Int64]) -> PostgresValue {
        let elements: [Int64?] = values.map { $0 }
        return .bigintArray(elements)
    }

    /// A `text[]` parameter without NULL elements.
    package static func textArray(_ values: [String]) -> PostgresValue {
        let elements: [String?] = values.map { $0 }
        return .textArray(elements)
    }

    /// `value` as a parameter, or `NULL` when it is `nil`.
    package static func optional<Wrapped>(
        _ value: Wrapped?, _ make: (Wrapped) -> PostgresValue
    ) -> PostgresValue {
        value.map(make) ?? .null
    }
}

extension PostgresValue: ExpressibleByStringLiteral, ExpressibleByIntegerLiteral, ExpressibleByBooleanLiteral,
    ExpressibleByFloatLiteral, ExpressibleByNilLiteral
{
    package init(stringLiteral value: String) { self = .text(value) }
    package init(integerLiteral value: Int64) { self = .bigint(value) }
    package init(booleanLiteral value: Bool) { self = .boolean(value) }
    package init(floatLiteral value: Double) { self = .double(value) }
    package init(nilLiteral: ()) { self = .null }
}
