import Foundation
import PostgresClient

extension Migrator {
    /// Finds the migrations directory: `explicit` (a `--sql-dir` flag), else `IDV_SQL_DIR`, else `./sql`,
    /// else a `sql/` (or `share/idv-batch/sql/`) directory beside the executable or in any folder above
    /// it — which finds the checkout's `sql/` for `.build/debug/idv-batch` — else `/usr/share/idv-batch/sql`
    /// (the Debian package's and the container image's).
    ///
    /// - Parameters:
    ///   - explicit: A directory the user named; it must exist.
    ///   - environment: Where to read `IDV_SQL_DIR`.
    ///   - executable: The running program; defaults to this process's executable.
    ///   - currentDirectory: Searched first for `sql/`; defaults to this process's working directory.
    /// - Throws: ``MigrationError`` `.directoryNotFound`, listing the places searched.
    package static func locateDirectory(
        explicit: String? = nil,
        environment: [String: String] = ProcessInfo.processInfo.environment,
        executable: URL? = Bundle.main.executableURL,
        currentDirectory: String = FileManager.default.currentDirectoryPath
    ) throws -> URL {
        let fileManager = FileManager.default
        func isDirectory(_ url: URL) -> Bool {
            var isDirectory: ObjCBool = false
            return fileManager.fileExists(atPath: url.path, isDirectory: &isDirectory) && isDirectory.boolValue
        }
        func holdsMigrations(_ url: URL) -> Bool {
            guard isDirectory(url), let files = try? fileManager.contentsOfDirectory(atPath: url.path) else {
                return false
            }
            return files.contains { $0.hasSuffix(".sql") && $0.first?.isNumber == true }
        }
        for (source, path) in [("--sql-dir", explicit), ("IDV_SQL_DIR", environment["IDV_SQL_DIR"])] {
            guard let path, !path.isEmpty else { continue }
            let url = URL(fileURLWithPath: path)
            guard isDirectory(url) else {
                throw MigrationError(
                    code: .directoryNotFound,
                    message:
                        "\(source) names \(url.path), which is not a directory. Point it at the repository's sql/ folder."
                )
            }
            return url
        }
        let searched = InstalledFolder.candidates(
            named: "sql", executable: executable, currentDirectory: currentDirectory)
        if let found = searched.first(where: holdsMigrations) { return found }
        throw MigrationError(
            code: .directoryNotFound,
            message: "No migrations directory found (looked in ./sql, beside the executable and the folders above it, "
                + "and /usr/share/idv-batch/sql). "
                + "Pass --sql-dir PATH or set IDV_SQL_DIR to the repository's sql/ folder.")
    }
}
