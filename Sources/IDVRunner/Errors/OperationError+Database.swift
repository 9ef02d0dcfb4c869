import PostgresClient

extension OperationError {
    /// Runs a database step of an operating command, turning connection and server failures into
    /// `.database` errors that say what failed and what to check. Cancellation, errors that are
    /// already ``OperationError``, and PostgreSQL errors `passThrough` accepts are rethrown as they are.
    static func database<T>(
        _ what: String,
        passThrough: (PostgresError) -> Bool = { _ in false },
        _ body: () async throws -> T
    ) async throws -> T {
        do {
            return try await body()
        } catch let error as PostgresError where passThrough(error) {
            throw error
        } catch let error as OperationError {
            throw error
        } catch is CancellationError {
            throw CancellationError()
        } catch {
            throw OperationError(
                code: .database,
                message: "Could not \(what) in PostgreSQL: \(error). Check --database-url / DATABASE_URL and "
                    + "that `idv-batch migrate` has run.")
        }
    }
}
