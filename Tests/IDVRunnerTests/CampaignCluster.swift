import Foundation
import LocalPostgres
import PostgresClient
import TestSupport

/// A throwaway PostgreSQL cluster of a campaign's own, with one migrated database.
///
/// For campaigns that restart the server or change its authentication: the shared test server is
/// used by every suite running in parallel and must not be touched.
struct CampaignCluster: Sendable {
    let server: TemporaryPostgres
    /// The migrated database `idv_campaign`, over the unix socket as the superuser.
    let database: PostgresConfiguration

    /// Starts a cluster, runs `body`, and stops the cluster (also on error).
    static func with<Result: Sendable>(_ body: (CampaignCluster) async throws -> Result) async throws -> Result {
        let server = try await TemporaryPostgres.start(maxConnections: 60)
        do {
            let admin = try await PostgresConnection.connect(server.configuration)
            // Throwaway clusters trade durability for speed (synchronous_commit off). A restart is a crash
            // here (immediate stop), which would then forget commits the runner already acted on — the
            // claim and ledger row of a call in flight — so give this cluster production's durable commits.
            try await admin.execute("ALTER SYSTEM SET synchronous_commit = on")
            _ = try await admin.query("SELECT pg_reload_conf()")
            try await admin.execute("CREATE DATABASE idv_campaign")
            await admin.close()
            let database = server.configuration.withDatabase("idv_campaign")
            let connection = try await PostgresConnection.connect(database)
            try await Migrator(directory: SharedPaths.migrations).migrate(on: connection)
            await connection.close()
            let result = try await body(CampaignCluster(server: server, database: database))
            await server.stop()
            return result
        } catch {
            await server.stop()
            throw error
        }
    }

    /// Creates a login role with `password` that may run batches in `idv_campaign`, and makes the
    /// server demand that password (SCRAM) from it over TCP, so a wrong password is really refused.
    /// - Returns: a libpq connection string for the role over TCP, password included.
    func addPasswordRole(_ role: String, password: String) async throws -> String {
        let admin = try await PostgresConnection.connect(database)
        try await admin.executeScript(
            """
            SET password_encryption = 'scram-sha-256';
            CREATE ROLE \(role) LOGIN PASSWORD '\(password)';
            GRANT USAGE ON SCHEMA idv TO \(role);
            GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA idv TO \(role);
            GRANT USAGE, SELECT, UPDATE ON ALL SEQUENCES IN SCHEMA idv TO \(role);
            """)
        // initdb wrote `trust` for everyone; the first matching line wins, so put ours first.
        let hba = "\(server.directory)/data/pg_hba.conf"
        let existing = try String(contentsOfFile: hba, encoding: .utf8)
        try ("host all \(role) 127.0.0.1/32 scram-sha-256\n" + existing).write(
            toFile: hba, atomically: false, encoding: .utf8)
        _ = try await admin.query("SELECT pg_reload_conf()")
        await admin.close()
        return "host=127.0.0.1 port=\(server.port) dbname=idv_campaign user=\(role) password=\(password)"
    }
}
