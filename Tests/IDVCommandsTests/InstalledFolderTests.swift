import Foundation
import PostgresClient
import Testing

@testable import IDVCommands

/// Where `sql/` and `jobs/` are found without flags: the working directory, beside the executable and
/// above it, and an installed package's `/usr/share/idv-batch`, from any working directory.
@Suite("Installed folders")
struct InstalledFolderTests {
    /// A scratch folder deleted when `body` returns.
    static func withScratchFolder<T>(_ body: (URL) throws -> T) throws -> T {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent(
            "idv-installed-\(UUID().uuidString)", isDirectory: true)
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        return try body(folder)
    }

    @Test(
        "/usr/share/idv-batch is searched once, after the working directory, wherever the executable is",
        arguments: ["/usr/bin/idv-batch", "/usr/local/bin/idv-batch", "/opt/idv/bin/idv-batch"])
    func systemFolderSearched(executable: String) {
        let paths = InstalledFolder.candidates(
            named: "sql", executable: URL(fileURLWithPath: executable), currentDirectory: "/srv/work"
        ).map(\.path)
        #expect(paths.first == "/srv/work/sql")
        #expect(paths.filter { $0 == "/usr/share/idv-batch/sql" }.count == 1)
        #expect(paths.contains(URL(fileURLWithPath: executable).deletingLastPathComponent().path + "/sql"))
    }

    @Test("with the executable unknown, the working directory then /usr/share/idv-batch")
    func executableUnknown() {
        let paths = InstalledFolder.candidates(named: "jobs", executable: nil, currentDirectory: "/srv/work").map(
            \.path)
        #expect(paths == ["/srv/work/jobs", "/usr/share/idv-batch/jobs"])
    }

    @Test("an installed layout's migrations are found from an unrelated working directory")
    func installedLayoutFound() throws {
        try Self.withScratchFolder { prefix in
            let fileManager = FileManager.default
            let bin = prefix.appendingPathComponent("usr/bin")
            let sql = prefix.appendingPathComponent("usr/share/idv-batch/sql")
            let elsewhere = prefix.appendingPathComponent("home/operator")
            for folder in [bin, sql, elsewhere] {
                try fileManager.createDirectory(at: folder, withIntermediateDirectories: true)
            }
            let executable = bin.appendingPathComponent("idv-batch")
            #expect(fileManager.createFile(atPath: executable.path, contents: Data()))
            #expect(
                fileManager.createFile(atPath: sql.appendingPathComponent("0001_initial.sql").path, contents: Data()))

            let found = try Migrator.locateDirectory(
                environment: [:], executable: executable, currentDirectory: elsewhere.path)
            #expect(found.standardizedFileURL.path == sql.standardizedFileURL.path)
        }
    }

    @Test(
        "no migrations anywhere: the error says where it looked and which flag to pass",
        .enabled(if: !FileManager.default.fileExists(atPath: "/usr/share/idv-batch/sql")))
    func nothingFound() throws {
        try Self.withScratchFolder { folder in
            let executable = folder.appendingPathComponent("bin/idv-batch")
            let error = #expect(throws: MigrationError.self) {
                try Migrator.locateDirectory(environment: [:], executable: executable, currentDirectory: folder.path)
            }
            #expect(error?.code == .directoryNotFound)
            #expect(error?.message.contains("/usr/share/idv-batch/sql") == true)
            #expect(error?.message.contains("--sql-dir") == true)
        }
    }
}
