import PostgresClient

/// The one capability the runner needs from PostgreSQL: run a parameterised statement, get its rows.
///
/// Every statement the runner sends is a single autocommitted statement (claims commit before any
/// HTTP call; no transaction is ever held across one), so a pool's `query` is all it takes.
/// Tests can wrap a pool to count round trips.
package protocol RunnerDatabase: Sendable {
    /// Runs `sql` with `parameters` (`$1`, `$2`, …) and returns the result.
    /// - Throws: `PostgresError` from the server or the connection.
    func query(_ sql: String, _ parameters: [PostgresValue]) async throws -> PostgresRows

    /// Where to open a dedicated connection (the worker's presence lock lives on one); `nil` when there
    /// is none to open, and the worker then relies on lease expiry alone.
    var connectionConfiguration: PostgresConfiguration? { get }
}

extension RunnerDatabase {
    package var connectionConfiguration: PostgresConfiguration? { nil }
}

/// SQL fragment matching the rows of the selection given as a `text[]` parameter (empty = all batches).
///
/// The server folds the CASE for the actual parameter (statements are planned with their values), so one
/// batch becomes `column = '<id>'` — whose `(batch_id, id)` index yields rows in id order and stops at a
/// `LIMIT`, where `= ANY (array)` would read and sort every matching row — and no batch becomes `true`.
func selectionPredicate(column: String = "batch_id", parameter: Int) -> String {
    let batches = "$\(parameter)::text[]"
    return "(CASE cardinality(\(batches)) WHEN 0 THEN true WHEN 1 THEN \(column) = (\(batches))[1] "
        + "ELSE \(column) = ANY (\(batches)) END)"
}

extension PostgresPool: RunnerDatabase {
    package nonisolated var connectionConfiguration: PostgresConfiguration? { configuration }
}
