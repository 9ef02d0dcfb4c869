import Foundation

/// Where the repository's files that tests read are: everything a test needs is inside the repository.
package enum SharedPaths {
    /// The repository root (the folder holding Package.swift), found from this source file.
    package static let repositoryRoot: URL = {
        URL(fileURLWithPath: #filePath)  // Sources/TestSupport/SharedPaths.swift
            .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    }()

    /// `Tests/Fixtures/yoti`: the public Yoti SDK test key (`sdk-test.pem`, published with Yoti's SDKs) and
    /// the known-answer signing vectors (`vectors.json`).
    package static var yotiTestdata: URL { repositoryRoot.appendingPathComponent("Tests/Fixtures/yoti") }

    /// The public Yoti SDK test key (PKCS#1 PEM) that every test signs with.
    package static var sdkTestKeyPath: String { yotiTestdata.appendingPathComponent("sdk-test.pem").path }

    /// A copy of ``sdkTestKeyPath`` readable by its owner only (mode 0600), made once per test process in the
    /// temporary directory: the commands refuse a key file others may read, and a checkout makes it 0644.
    package static let ownerOnlyTestKey: String = {
        let source = yotiTestdata.appendingPathComponent("sdk-test.pem")
        let copy = FileManager.default.temporaryDirectory.appendingPathComponent(
            "idv-test-key-\(ProcessInfo.processInfo.processIdentifier)-\(UUID().uuidString.prefix(8)).pem")
        guard let pem = FileManager.default.contents(atPath: source.path),
            FileManager.default.createFile(atPath: copy.path, contents: pem, attributes: [.posixPermissions: 0o600])
        else { return source.path }  // the command then reports the problem with the fixture itself
        return copy.path
    }()

    /// `Tests/YotiAPITests/Fixtures/sdk-corpus`: session specs built the way Yoti's SDK builders build them.
    package static var sdkSpecCorpus: URL {
        repositoryRoot.appendingPathComponent("Tests/YotiAPITests/Fixtures/sdk-corpus")
    }

    /// `sql/`: the numbered migrations.
    package static var migrations: URL { repositoryRoot.appendingPathComponent("sql") }

    /// An executable built by `swift build` next to the running test bundle (e.g. `.build/debug/idv-batch`).
    ///
    /// - Throws: An error saying how to build it when it is missing, so a test fails clearly instead of skipping.
    package static func builtExecutable(named name: String) throws -> URL {
        let bundle = URL(fileURLWithPath: CommandLine.arguments[0]).resolvingSymlinksInPath()
        var candidates = [bundle.deletingLastPathComponent().appendingPathComponent(name)]
        #if os(Linux)
            let running = URL(fileURLWithPath: "/proc/self/exe").resolvingSymlinksInPath()
            candidates.append(running.deletingLastPathComponent().appendingPathComponent(name))
        #endif
        // On macOS the tests run inside an .xctest bundle: look beside the bundle too.
        candidates.append(
            bundle.deletingLastPathComponent().deletingLastPathComponent()
                .deletingLastPathComponent().deletingLastPathComponent().appendingPathComponent(name))
        if let found = candidates.first(where: { FileManager.default.isExecutableFile(atPath: $0.path) }) {
            return found
        }
        throw MissingExecutable(
            description: "\(name) is not built next to the tests (looked in "
                + "\(candidates.map { $0.deletingLastPathComponent().path }.joined(separator: ", "))). "
                + "Run `swift build --product \(name)` first (plain `swift build` builds it too).")
    }
}

/// A test needs an executable that has not been built.
package struct MissingExecutable: Error, CustomStringConvertible {
    /// What is missing and the command that builds it.
    package let description: String
}
