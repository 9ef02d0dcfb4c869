import Foundation

/// Where the repository and the `shared/` folder beside it are, for tests.
public enum SharedPaths {
    /// The repository root (the folder holding Package.swift), found from this source file.
    public static let repositoryRoot: URL = {
        URL(fileURLWithPath: #filePath)  // Sources/TestSupport/SharedPaths.swift
            .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    }()

    /// `../shared` next to the repository, or `IDV_SHARED_DIR` when set.
    public static let sharedDirectory: URL = {
        if let override = ProcessInfo.processInfo.environment["IDV_SHARED_DIR"], !override.isEmpty {
            return URL(fileURLWithPath: override)
        }
        return repositoryRoot.deletingLastPathComponent().appendingPathComponent("shared")
    }()

    /// `shared/testdata/yoti`: the public SDK test key and the signing vectors.
    public static var yotiTestdata: URL { sharedDirectory.appendingPathComponent("testdata/yoti") }

    /// `sql/`: the numbered migrations.
    public static var migrations: URL { repositoryRoot.appendingPathComponent("sql") }
}
