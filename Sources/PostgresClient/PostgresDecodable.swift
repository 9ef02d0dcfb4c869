import Foundation

/// A Swift type that can be read from a column's text value.
///
/// Conforming types: `String`, `Int64`, `Int32`, `Int`, `Bool`, `Double`, `Date`, `[Int64]`, `[String]`,
/// `[Int64?]`, `[String?]`, and `Optional` of any of them (which accepts NULL).
package protocol PostgresDecodable {
    /// Reads a value from the server's text form; `text` is `nil` for NULL.
    ///
    /// - Throws: ``PostgresDecodingFailure`` when the type or text does not fit.
    static func decode(text: String?, type: PostgresDataType) throws(PostgresDecodingFailure) -> Self
}

/// Why a column could not be decoded; ``PostgresRow`` turns it into a ``PostgresError`` naming the column.
package struct PostgresDecodingFailure: Error, Sendable {
    enum Reason: Sendable {
        case null
        case type
        case text(String)
    }

    let reason: Reason

    /// The column was NULL but the requested type is not optional.
    package static let unexpectedNull = PostgresDecodingFailure(reason: .null)
    /// The column's PostgreSQL type cannot become the requested Swift type.
    package static let incompatibleType = PostgresDecodingFailure(reason: .type)

    /// The column's text could not be read as the requested type, for the given reason.
    package static func malformed(_ reason: String) -> PostgresDecodingFailure {
        PostgresDecodingFailure(reason: .text(reason))
    }

    func error(column: PostgresColumn, swiftType: Any.Type) -> PostgresError {
        switch reason {
        case .null:
            return PostgresError(
                code: .unexpectedNull,
                message: "Column '\(column.name)' is NULL but was decoded as non-optional \(swiftType). "
                    + "Decode it as \(swiftType)? or add COALESCE in the query.")
        case .type:
            return PostgresError(
                code: .typeMismatch,
                message: "Column '\(column.name)' has type \(column.dataType), which cannot be decoded as "
                    + "\(swiftType). Decode a matching Swift type or cast the column in SQL (e.g. ::text).")
        case .text(let reason):
            return PostgresError(
                code: .typeMismatch,
                message: "Column '\(column.name)' (\(column.dataType)) could not be decoded as \(swiftType): "
                    + "\(reason).")
        }
    }
}

extension PostgresDecodable {
    static func requireText(_ text: String?) throws(PostgresDecodingFailure) -> String {
        guard let text else { throw .unexpectedNull }
        return text
    }

    static func require(_ type: PostgresDataType, in allowed: Set<PostgresDataType>) throws(PostgresDecodingFailure) {
        guard allowed.contains(type) else { throw .incompatibleType }
    }
}

private let integerTypes: Set<PostgresDataType> = [.int2, .int4, .int8, .oidType]
private let textTypes: Set<PostgresDataType> = [
    .text, .varchar, .bpchar, .name, .char, .unknown, .json, .jsonb, .uuid, .xml,
]

extension Optional: PostgresDecodable where Wrapped: PostgresDecodable {
    package static func decode(text: String?, type: PostgresDataType) throws(PostgresDecodingFailure) -> Self {
        guard let text else { return nil }
        return try Wrapped.decode(text: text, type: type)
    }
}

extension String: PostgresDecodable {
    /// Accepts text-like columns (text, varchar, char, name, json, jsonb, uuid, xml) and user-defined
    /// types such as enums; cast other types with `::text` to read their text form.
    package static func decode(text: String?, type: PostgresDataType) throws(PostgresDecodingFailure) -> String {
        guard textTypes.contains(type) || type.isUserDefined else { throw .incompatibleType }
        return try requireText(text)
    }
}

extension Int64: PostgresDecodable {
    /// Accepts `smallint`, `integer`, `bigint` and `oid` columns.
    package static func decode(text: String?, type: PostgresDataType) throws(PostgresDecodingFailure) -> Int64 {
        try require(type, in: integerTypes)
        let text = try requireText(text)
        guard let value = Int64(text) else { throw .malformed("'\(text)' is not a 64-bit integer") }
        return value
    }
}

extension Int: PostgresDecodable {
    /// Accepts `smallint`, `integer`, `bigint` and `oid` columns.
    package static func decode(text: String?, type: PostgresDataType) throws(PostgresDecodingFailure) -> Int {
        Int(try Int64.decode(text: text, type: type))
    }
}

extension Int32: PostgresDecodable {
    /// Accepts `smallint` and `integer` columns, and larger integers whose value fits.
    package static func decode(text: String?, type: PostgresDataType) throws(PostgresDecodingFailure) -> Int32 {
        let wide = try Int64.decode(text: text, type: type)
        guard let value = Int32(exactly: wide) else { throw .malformed("\(wide) does not fit in Int32") }
        return value
    }
}

extension Bool: PostgresDecodable {
    /// Accepts `boolean` columns.
    package static func decode(text: String?, type: PostgresDataType) throws(PostgresDecodingFailure) -> Bool {
        try require(type, in: [.bool])
        switch try requireText(text) {
        case "t": return true
        case "f": return false
        case let other: throw .malformed("'\(other)' is not a boolean")
        }
    }
}

extension Double: PostgresDecodable {
    /// Accepts `real`, `double precision`, `numeric` and integer columns.
    package static func decode(text: String?, type: PostgresDataType) throws(PostgresDecodingFailure) -> Double {
        try require(type, in: integerTypes.union([.float4, .float8, .numeric]))
        let text = try requireText(text)
        switch text {
        case "Infinity": return .infinity
        case "-Infinity": return -.infinity
        case "NaN": return .nan
        default:
            guard let value = Double(text) else { throw .malformed("'\(text)' is not a number") }
            return value
        }
    }
}

extension Date: PostgresDecodable {
    /// Accepts `timestamptz` columns (`infinity`/`-infinity` become `distantFuture`/`distantPast`).
    /// Plain `timestamp` is refused: without a zone it is not an instant; cast it with `AT TIME ZONE`.
    package static func decode(text: String?, type: PostgresDataType) throws(PostgresDecodingFailure) -> Date {
        try require(type, in: [.timestamptz])
        let text = try requireText(text)
        guard let date = PostgresTimestamp.parse(text) else {
            throw .malformed("'\(text)' is not an ISO timestamptz (is DateStyle ISO?)")
        }
        return date
    }
}

/// Element types that can be read out of a one-dimensional array column.
package protocol PostgresArrayElement: PostgresDecodable {
    /// The array column types this element accepts.
    static var arrayTypes: Set<PostgresDataType> { get }
    /// The scalar type matching ``arrayTypes``, used to decode each element.
    static var elementType: PostgresDataType { get }
}

extension Int64: PostgresArrayElement {
    package static var arrayTypes: Set<PostgresDataType> { [.int2Array, .int4Array, .int8Array] }
    package static var elementType: PostgresDataType { .int8 }
}

extension String: PostgresArrayElement {
    package static var arrayTypes: Set<PostgresDataType> {
        [.textArray, .varcharArray, .bpcharArray, .nameArray]
    }
    package static var elementType: PostgresDataType { .text }
}

extension Array: PostgresDecodable where Element: PostgresDecodable {
    /// Accepts one-dimensional arrays of the element's type; NULL elements need an Optional element type.
    package static func decode(text: String?, type: PostgresDataType) throws(PostgresDecodingFailure) -> [Element] {
        let elementType: PostgresDataType
        switch Element.self {
        case let scalar as any PostgresArrayElement.Type:
            try require(type, in: scalar.arrayTypes)
            elementType = scalar.elementType
        case let optional as any OptionalArrayElement.Type:
            try require(type, in: optional.arrayTypes)
            elementType = optional.elementType
        default:
            throw .incompatibleType
        }
        let literal = try requireText(text)
        let elements: [String?]
        do {
            elements = try PostgresArrayLiteral.parse(literal)
        } catch {
            throw .malformed("malformed array literal: \(error.description)")
        }
        var decoded: [Element] = []
        decoded.reserveCapacity(elements.count)
        for element in elements {
            decoded.append(try Element.decode(text: element, type: elementType))
        }
        return decoded
    }
}

/// Lets `[Int64?]` and `[String?]` find the array types of their wrapped element.
protocol OptionalArrayElement {
    static var arrayTypes: Set<PostgresDataType> { get }
    static var elementType: PostgresDataType { get }
}

extension Optional: OptionalArrayElement where Wrapped: PostgresArrayElement {
    static var arrayTypes: Set<PostgresDataType> { Wrapped.arrayTypes }
    static var elementType: PostgresDataType { Wrapped.elementType }
}
