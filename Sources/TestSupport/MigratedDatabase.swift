import Foundation
import PostgresClient
import YotiAPI

/// A fresh migrated database and a pool for one operating-command test (enqueue, rerun, expire, status,
/// configs: in process or as `idv-batch` processes), dropped afterwards.
package struct MigratedDatabase: Sendable {
    /// Where the database is.
    package let configuration: PostgresConfiguration
    /// A small pool on it (4 connections), shut down after the test.
    package let pool: PostgresPool

    /// Runs `body` with a new database.
    package static func with<Result: Sendable>(_ body: (MigratedDatabase) async throws -> Result) async throws -> Result
    {
        let configuration = try await TestDatabase.createMigrated(prefix: "idv_ops")
        let database = MigratedDatabase(
            configuration: configuration, pool: PostgresPool(configuration: configuration, maxConnections: 4))
        do {
            let result = try await body(database)
            await database.pool.shutdown()
            await TestDatabase.drop(configuration)
            return result
        } catch {
            await database.pool.shutdown()
            await TestDatabase.drop(configuration)
            throw error
        }
    }

    /// Writes `text` to a new temporary file with `suffix` and returns its path.
    package static func temporaryFile(_ text: String, suffix: String) throws -> String {
        try temporaryFile(Array(text.utf8), suffix: suffix)
    }

    /// Writes `bytes` to a new temporary file with `suffix` and returns its path.
    package static func temporaryFile(_ bytes: [UInt8], suffix: String) throws -> String {
        let path = FileManager.default.temporaryDirectory
            .appendingPathComponent("idv-ops-\(UUID().uuidString)\(suffix)").path
        guard FileManager.default.createFile(atPath: path, contents: Data(bytes)) else {
            throw CocoaError(.fileWriteUnknown)
        }
        return path
    }

    /// Stores a named configuration.
    package func addConfiguration(_ name: String, _ spec: JSONValue) async throws {
        try await pool.execute(
            "INSERT INTO idv.session_configs (name, spec) VALUES ($1, $2::jsonb)",
            [.text(name), .jsonb(spec.jsonString())])
    }

    /// The batch's rows: external_ref → (config_name, session_spec).
    package func storedRows(batch: String) async throws -> [String: (config: String?, spec: JSONValue?)] {
        var result: [String: (config: String?, spec: JSONValue?)] = [:]
        for row in try await pool.query(
            "SELECT external_ref, config_name, session_spec::text AS spec FROM idv.verification_requests WHERE batch_id = $1",
            [.text(batch)])
        {
            result[try row.decode(String.self, "external_ref")] = (
                try row.decode(String?.self, "config_name"),
                try row.decode(String?.self, "spec").map { try JSONValue(jsonString: $0) }
            )
        }
        return result
    }

    /// `SELECT count(*)` of `sql`'s rows (`sql` is a trusted test statement with `$1` parameters).
    package func count(_ sql: String, _ parameters: [PostgresValue] = []) async throws -> Int {
        try await pool.query("SELECT count(*) AS n FROM (\(sql)) AS counted", parameters)[0].decode(Int.self, "n")
    }
}
