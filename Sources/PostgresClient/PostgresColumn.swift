/// One column of a result: its name and PostgreSQL type.
public struct PostgresColumn: Sendable, Hashable {
    /// The column name as the server reports it (the alias when the query gives one).
    public let name: String
    /// The column's type.
    public let dataType: PostgresDataType
}
