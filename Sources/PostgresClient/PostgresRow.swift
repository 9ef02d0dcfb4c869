/// One row of a result. Decode columns by name or position into Swift types:
///
/// ```swift
/// let id = try row.decode(Int64.self, "id")
/// let error = try row.decode(String?.self, "last_error")   // nil for NULL
/// ```
package struct PostgresRow: Sendable {
    let layout: PostgresRows.Layout
    let values: [String?]

    /// The result's columns, in order.
    package var columns: [PostgresColumn] { layout.columns }

    /// Decodes the column named `column`.
    ///
    /// - Throws: ``PostgresError`` `.columnNotFound`, `.unexpectedNull` (decode as an Optional to accept
    ///   NULL) or `.typeMismatch`, each naming the column.
    package func decode<Value: PostgresDecodable>(_ type: Value.Type = Value.self, _ column: String) throws -> Value {
        guard let index = layout.indexByName[column] else {
            let known = layout.columns.map(\.name).joined(separator: ", ")
            throw PostgresError(
                code: .columnNotFound,
                message: "The result has no column '\(column)' (it has: \(known)). Check the SELECT list or alias.")
        }
        return try decode(type, at: index)
    }

    /// Decodes the column at zero-based position `index`.
    ///
    /// - Throws: ``PostgresError`` `.columnNotFound` when out of range, `.unexpectedNull`, `.typeMismatch`.
    package func decode<Value: PostgresDecodable>(_ type: Value.Type = Value.self, at index: Int) throws -> Value {
        guard layout.columns.indices.contains(index) else {
            throw PostgresError(
                code: .columnNotFound,
                message: "The result has \(layout.columns.count) columns; there is no column at index \(index).")
        }
        let column = layout.columns[index]
        do {
            return try Value.decode(text: values[index], type: column.dataType)
        } catch {
            throw error.error(column: column, swiftType: Value.self)
        }
    }

    /// Whether the column named `column` is NULL in this row.
    ///
    /// - Throws: ``PostgresError`` `.columnNotFound`.
    package func isNull(_ column: String) throws -> Bool {
        guard let index = layout.indexByName[column] else {
            throw PostgresError(code: .columnNotFound, message: "The result has no column '\(column)'.")
        }
        return values[index] == nil
    }
}
