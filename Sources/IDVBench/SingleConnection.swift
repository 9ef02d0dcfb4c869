import IDVRunner
import PostgresClient

/// One dedicated connection as a ``RunnerDatabase``: `bench` times claims on a connection whose server
/// process it can watch, rather than on whichever pooled connection is free.
struct SingleConnection: RunnerDatabase {
    let connection: PostgresConnection

    func query(_ sql: String, _ parameters: [PostgresValue]) async throws -> PostgresRows {
        try await connection.query(sql, parameters)
    }
}
