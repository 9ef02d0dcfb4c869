import Foundation

/// Applies the numbered `NNNN_name.sql` files of a directory to a database, in order, once each.
///
/// Each file runs in its own transaction together with its row in `idv.schema_migrations`
/// (version, name, SHA-256 checksum, applied_at), so a failed file leaves nothing behind. A session
/// advisory lock serialises concurrent runs (two deploys, two cron hosts): the second waits, then
/// finds nothing to do. A file changed after it was applied is refused before anything runs —
/// applied migrations are history; changes go into a new numbered file.
///
/// Files must not contain their own `BEGIN`/`COMMIT`.
package struct Migrator: Sendable {
    /// The directory holding the migration files.
    package let directory: URL

    /// The `pg_advisory_lock` key every migrator takes ("idv_migr" in ASCII), so runs serialise.
    package static let advisoryLockKey: Int64 = 0x6964_765F_6D69_6772

    /// What a run did.
    package struct Report: Sendable {
        /// The migrations this run applied, in order.
        package let applied: [Migration]
        /// How many migrations had been applied before this run.
        package let alreadyApplied: Int
    }

    /// A migrator for the files in `directory`.
    package init(directory: URL) {
        self.directory = directory
    }

    /// The migration files in version order.
    ///
    /// - Throws: ``MigrationError`` `.directoryNotFound`, `.invalidFile` for a misnamed `.sql` file,
    ///   `.duplicateVersion`.
    package func migrations() throws -> [Migration] {
        let files: [String]
        do {
            files = try FileManager.default.contentsOfDirectory(atPath: directory.path)
        } catch {
            throw MigrationError(
                code: .directoryNotFound,
                message: "Cannot read the migrations directory \(directory.path). Pass --sql-dir or set IDV_SQL_DIR.")
        }
        var migrations: [Migration] = []
        for file in files.sorted() where file.hasSuffix(".sql") {
            let url = directory.appendingPathComponent(file)
            let migration: Migration?
            do {
                migration = try Migration(file: url)
            } catch {
                throw MigrationError(
                    code: .invalidFile, message: "Cannot read \(url.path) as UTF-8 text: \(error.localizedDescription)."
                )
            }
            guard let migration else {
                throw MigrationError(
                    code: .invalidFile,
                    message: "\(url.path) is not named like a migration (NNNN_name.sql, e.g. 0002_add_index.sql). "
                        + "Rename it, or move it out of \(directory.path).")
            }
            if let clash = migrations.first(where: { $0.version == migration.version }) {
                throw MigrationError(
                    code: .duplicateVersion,
                    message: "\(clash.fileName) and \(migration.fileName) share version \(migration.version). "
                        + "Renumber the newer one to the next free number.")
            }
            migrations.append(migration)
        }
        return migrations.sorted { $0.version < $1.version }
    }

    /// Applies every pending migration on `connection`, holding the advisory lock throughout.
    ///
    /// - Throws: ``MigrationError`` (`.changedMigration`, `.unknownAppliedMigration`, `.failed`, or a
    ///   directory problem) or ``PostgresError`` when the database fails outside a migration.
    @discardableResult
    package func migrate(on connection: PostgresConnection) async throws -> Report {
        let migrations = try migrations()
        try await connection.query("SELECT pg_advisory_lock($1)", [.bigint(Self.advisoryLockKey)])
        do {
            let report = try await migrateLocked(migrations, on: connection)
            try await unlock(connection)
            return report
        } catch {
            try? await unlock(connection)
            throw error
        }
    }

    private func unlock(_ connection: PostgresConnection) async throws {
        try await connection.queryIgnoringCancellation("SELECT pg_advisory_unlock($1)", [.bigint(Self.advisoryLockKey)])
    }

    private func migrateLocked(_ migrations: [Migration], on connection: PostgresConnection) async throws -> Report {
        try await connection.executeScript(
            """
            CREATE SCHEMA IF NOT EXISTS idv;
            CREATE TABLE IF NOT EXISTS idv.schema_migrations (
                version    integer PRIMARY KEY,
                name       text NOT NULL,
                checksum   text NOT NULL,
                applied_at timestamptz NOT NULL DEFAULT now()
            );
            COMMENT ON TABLE idv.schema_migrations IS
                'One row per applied sql/NNNN_name.sql file, written by idv-batch migrate. Never edit by hand.';
            """)
        let appliedRows = try await connection.query(
            "SELECT version, name, checksum, applied_at FROM idv.schema_migrations ORDER BY version")
        var checksums: [Int: String] = [:]
        for migration in migrations {
            checksums[migration.version] = try await checksum(of: migration, on: connection)
        }
        for row in appliedRows {
            let version = try row.decode(Int.self, "version")
            let name = try row.decode(String.self, "name")
            let recorded = try row.decode(String.self, "checksum")
            let appliedAt = try row.decode(Date.self, "applied_at")
            let label = String(format: "%04d_%@.sql", version, name)
            guard let migration = migrations.first(where: { $0.version == version }) else {
                throw MigrationError(
                    code: .unknownAppliedMigration,
                    message: "The database has migration \(label) applied, but \(directory.path) has no file "
                        + "with version \(version). Run a newer idv-batch, or point --sql-dir at the right directory.")
            }
            guard checksums[version] == recorded else {
                throw MigrationError(
                    code: .changedMigration,
                    message: "\(directory.appendingPathComponent(migration.fileName).path) was changed after it was "
                        + "applied on \(PostgresTimestamp.format(appliedAt)) (recorded checksum "
                        + "\(recorded.prefix(12))…, file now \(checksums[version]?.prefix(12) ?? "?")…). "
                        + "Applied migrations must not change: restore the file (e.g. git checkout), and put "
                        + "the change in a new numbered migration. Nothing was applied.")
            }
        }
        let appliedVersions = Set(try appliedRows.map { try $0.decode(Int.self, "version") })
        var applied: [Migration] = []
        for migration in migrations where !appliedVersions.contains(migration.version) {
            do {
                try await connection.withTransaction { connection in
                    try await connection.executeScript(migration.sql)
                    try await connection.execute(
                        "INSERT INTO idv.schema_migrations (version, name, checksum) VALUES ($1, $2, $3)",
                        [.int(migration.version), .text(migration.name), .text(checksums[migration.version] ?? "")])
                }
            } catch let error as PostgresError where error.code == .server {
                throw MigrationError(
                    code: .failed,
                    message: "Migration \(migration.fileName) failed and was rolled back: \(error). "
                        + "Fix the file (it was never applied, so editing it is fine) and run migrate again.",
                    underlying: error)
            }
            applied.append(migration)
        }
        return Report(applied: applied, alreadyApplied: appliedRows.count)
    }

    /// The hex SHA-256 of the file's UTF-8 text, computed by the server (no crypto dependency here).
    private func checksum(of migration: Migration, on connection: PostgresConnection) async throws -> String {
        let rows = try await connection.query(
            "SELECT encode(sha256(convert_to($1, 'UTF8')), 'hex') AS checksum", [.text(migration.sql)])
        return try rows[0].decode(String.self, "checksum")
    }
}
