import PostgresClient

/// Opens a connection for the duration of `body` and closes it afterwards.
package func withConnection<Result>(
    _ configuration: PostgresConfiguration,
    isolation: isolated (any Actor)? = #isolation,
    _ body: (PostgresConnection) async throws -> Result
) async throws -> Result {
    let connection = try await PostgresConnection.connect(configuration)
    do {
        let result = try await body(connection)
        await connection.close()
        return result
    } catch {
        await connection.close()
        throw error
    }
}
