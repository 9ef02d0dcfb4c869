extension PostgresConnection {
    /// Runs `body` inside `BEGIN` … `COMMIT` on this connection; rolls back if `body` throws or the
    /// task is cancelled, then rethrows.
    ///
    /// - Throws: What `body` throws, or the error from `BEGIN`/`COMMIT`.
    package func withTransaction<Result>(
        isolation: isolated (any Actor)? = #isolation,
        _ body: (PostgresConnection) async throws -> Result
    ) async throws -> Result {
        try await execute("BEGIN")
        let result: Result
        do {
            result = try await body(self)
            try await execute("COMMIT")
        } catch {
            await rollbackIgnoringCancellation()
            throw error
        }
        return result
    }
}
