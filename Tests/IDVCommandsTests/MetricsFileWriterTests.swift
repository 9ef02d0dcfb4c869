import Foundation
import IDVRunner
import Synchronization
import Testing

@testable import IDVCommands

/// The metrics file: written whole through a temporary file and a rename, and refused clearly when unwritable.
@Suite("Metrics file writer")
struct MetricsFileWriterTests {
    static func temporaryDirectory() throws -> URL {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent(
            "idv-metrics-\(UUID().uuidString.prefix(8))")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        return directory
    }

    @Test(
        "each write replaces the file by a rename (a new inode), with exactly the rendered bytes, leaving no temporary file"
    )
    func atomicReplace() async throws {
        let directory = try Self.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let path = directory.appendingPathComponent("idv.prom").path
        let generation = LockedCounter()
        let writer = MetricsFileWriter(path: path) { Array("idv_test_total \(generation.next())\n".utf8) }

        try await writer.prepare()
        #expect(try String(contentsOfFile: path, encoding: .utf8) == "idv_test_total 1\n")
        let firstInode = try #require(
            try FileManager.default.attributesOfItem(atPath: path)[.systemFileNumber] as? UInt64)
        try await writer.write()
        #expect(try String(contentsOfFile: path, encoding: .utf8) == "idv_test_total 2\n")
        let secondInode = try #require(
            try FileManager.default.attributesOfItem(atPath: path)[.systemFileNumber] as? UInt64)
        // A new inode each time: readers holding the old file see it whole, never a truncated one.
        #expect(firstInode != secondInode)
        #expect(try FileManager.default.contentsOfDirectory(atPath: directory.path) == ["idv.prom"])
        let permissions = try #require(
            try FileManager.default.attributesOfItem(atPath: path)[.posixPermissions] as? Int)
        #expect(permissions & 0o044 == 0o044, "node_exporter runs as another user and must read it")
    }

    @Test(
        "in a directory other users share, a symlink planted at a guessable temporary name is never written through"
    )
    func plantedSymlinkIgnored() async throws {
        let directory = try Self.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let path = directory.appendingPathComponent("idv.prom").path
        let victim = directory.appendingPathComponent("victim").path
        try Data("precious\n".utf8).write(to: URL(fileURLWithPath: victim))
        // Every name a local attacker could guess from the path and this process's id.
        let pid = ProcessInfo.processInfo.processIdentifier
        let writer = MetricsFileWriter(path: path) { Array("idv_test_total 1\n".utf8) }
        for guess in ["\(path).\(pid).tmp", "\(path).tmp", directory.path + "/" + writer.temporaryPrefix + "tmp"] {
            try FileManager.default.createSymbolicLink(atPath: guess, withDestinationPath: victim)
        }
        try await writer.prepare()
        try await writer.write()
        #expect(try String(contentsOfFile: victim, encoding: .utf8) == "precious\n")
        #expect(try String(contentsOfFile: path, encoding: .utf8) == "idv_test_total 1\n")
        // The metrics file is a regular file of its own, not the planted link moved into place.
        let type = try FileManager.default.attributesOfItem(atPath: path)[.type] as? FileAttributeType
        #expect(type == .typeRegular)
    }

    @Test("a path in a missing directory is refused at start-up naming the path and what to do; nothing is left behind")
    func unwritable() async throws {
        let directory = try Self.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let path = directory.appendingPathComponent("missing/idv.prom").path
        let writer = MetricsFileWriter(path: path) { Array("x 1\n".utf8) }
        let error = try await #require(throws: OperationError.self) { try await writer.prepare() }
        #expect(error.code == .usage && error.exitCode == 2)
        #expect(error.message.contains(path) && error.message.contains("No such file or directory"))
        #expect(error.message.contains("--metrics-file"))
        #expect(try FileManager.default.contentsOfDirectory(atPath: directory.path).isEmpty)
    }
}

/// 1, 2, 3, … from any thread.
final class LockedCounter: Sendable {
    private let value = Mutex(0)
    func next() -> Int {
        value.withLock {
            $0 += 1; return $0
        }
    }
}
