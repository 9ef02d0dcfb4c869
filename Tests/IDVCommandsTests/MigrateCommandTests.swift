import Foundation
import LocalPostgres
import PostgresClient
import TestSupport
import Testing

/// `idv-batch migrate` as a separate process, the way cron and deploy scripts run it.
@Suite("idv-batch migrate (processes)")
struct MigrateCommandTests {
    private func runMigrate(
        _ extraArguments: [String] = [], environment overrides: [String: String]
    ) async throws -> ChildProcess.Termination {
        let executable = try SharedPaths.builtExecutable(named: "idv-batch")
        var environment = ProcessInfo.processInfo.environment
        environment.removeValue(forKey: "DATABASE_URL")
        environment.merge(overrides) { $1 }
        return try await ChildProcess.run([executable.path, "migrate"] + extraArguments, environment: environment)
    }

    @Test("two migrate processes at once: one applies, the other waits and finds nothing to do; both exit 0")
    func concurrentProcesses() async throws {
        try await TestDatabase.withEmptyDatabase { configuration throws in
            let environment = [
                "DATABASE_URL": configuration.unredactedConnectionString,
                "IDV_SQL_DIR": SharedPaths.migrations.path,
            ]
            async let first = runMigrate(environment: environment)
            async let second = runMigrate(environment: environment)
            let results = try await [first, second]
            for result in results {
                #expect(result.status == 0, "\(result.output)")
            }
            let appliers = results.filter { $0.output.contains("Applied 0001_initial.sql") }
            let idle = results.filter { $0.output.contains("Already up to date") }
            #expect(appliers.count == 1, "\(results.map(\.output))")
            #expect(idle.count == 1, "\(results.map(\.output))")
            try await withConnection(configuration) { connection throws in
                let rows = try await connection.query("SELECT count(*) AS n FROM idv.schema_migrations")
                let files = try Migrator(directory: SharedPaths.migrations).migrations()
                #expect(try rows[0].decode(Int.self, "n") == files.count)
            }
        }
    }

    @Test("finds sql/ by walking up from the executable when no directory is given")
    func findsSQLDirectory() async throws {
        try await TestDatabase.withEmptyDatabase { configuration throws in
            let result = try await runMigrate(environment: ["DATABASE_URL": configuration.unredactedConnectionString])
            #expect(result.status == 0, "\(result.output)")
            #expect(result.output.contains("Applied 0001_initial.sql"))
        }
    }

    @Test("a changed migration exits 2 and names the file")
    func changedMigrationExitCode() async throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("idv-sql-\(UUID().uuidString)")
        try FileManager.default.copyItem(at: SharedPaths.migrations, to: directory)
        defer { try? FileManager.default.removeItem(at: directory) }
        try await TestDatabase.withEmptyDatabase { configuration throws in
            let url = configuration.unredactedConnectionString
            let first = try await runMigrate(["--sql-dir", directory.path], environment: ["DATABASE_URL": url])
            #expect(first.status == 0, "\(first.output)")
            let file = directory.appendingPathComponent("0001_initial.sql")
            try (try String(contentsOf: file, encoding: .utf8) + "\n-- edited\n").write(
                to: file, atomically: true, encoding: .utf8)
            let second = try await runMigrate(["--sql-dir", directory.path], environment: ["DATABASE_URL": url])
            #expect(second.status == 2)
            #expect(second.output.contains("0001_initial.sql was changed"), "\(second.output)")
        }
    }

    @Test("an unreachable database exits 3 without printing the password; a missing sql dir exits 2")
    func failureExitCodes() async throws {
        let password = "NeverPrintThis-77"
        let unreachable = try await runMigrate(
            environment: [
                "DATABASE_URL": "postgresql://idv:\(password)@127.0.0.1:1/idv",
                "IDV_SQL_DIR": SharedPaths.migrations.path,
            ])
        #expect(unreachable.status == 3, "\(unreachable.output)")
        #expect(unreachable.output.contains("127.0.0.1"))
        #expect(!unreachable.output.contains(password))

        let noDirectory = try await runMigrate(
            ["--sql-dir", "/nonexistent/sql"], environment: ["DATABASE_URL": "postgresql://127.0.0.1:1/idv"])
        #expect(noDirectory.status == 2, "\(noDirectory.output)")
        #expect(noDirectory.output.contains("--sql-dir"))
    }

    @Test("--help teaches the command without showing secrets")
    func help() async throws {
        let executable = try SharedPaths.builtExecutable(named: "idv-batch")
        let root = try await ChildProcess.run([executable.path, "--help"])
        #expect(root.status == 0)
        #expect(root.output.contains("migrate"))
        #expect(root.output.contains("Exit codes"))
        let migrate = try await ChildProcess.run(
            [executable.path, "migrate", "--help"],
            environment: ["DATABASE_URL": "postgresql://u:HelpSecret99@h/d", "PATH": "/usr/bin:/bin"])
        #expect(migrate.status == 0)
        #expect(migrate.output.contains("--database-url"))
        #expect(migrate.output.contains("--sql-dir"))
        #expect(!migrate.output.contains("HelpSecret99"))
    }
}
