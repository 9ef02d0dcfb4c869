/// One column of a result: its name and PostgreSQL type.
package struct PostgresColumn: Sendable, Hashable {
    /// The column name as the server reports it (the alias when the query gives one).
    package let name: String
    /// The column's type.
    package let dataType: PostgresDataType
}
