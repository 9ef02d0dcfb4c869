import PostgresClient

/// The one capability the runner needs from PostgreSQL: run a parameterised statement, get its rows.
///
/// Every statement the runner sends is a single autocommitted statement (claims commit before any
/// HTTP call; no transaction is ever held across one), so a pool's `query` is all it takes.
/// Tests can wrap a pool to count round trips.
public protocol RunnerDatabase: Sendable {
    /// Runs `sql` with `parameters` (`$1`, `$2`, …) and returns the result.
    /// - Throws: `PostgresError` from the server or the connection.
    func query(_ sql: String, _ parameters: [PostgresValue]) async throws -> PostgresRows
}

/// SQL fragment matching the rows of the selection given as a `text[]` parameter (empty = all batches).
///
/// With an unnamed (custom-planned) statement the server folds `cardinality(...) = 0` to a constant,
/// so a named selection still uses the `(batch_id, id)` indexes.
func selectionPredicate(column: String = "batch_id", parameter: Int) -> String {
    "(cardinality($\(parameter)::text[]) = 0 OR \(column) = ANY ($\(parameter)::text[]))"
}

extension PostgresPool: RunnerDatabase {}
