import Foundation
import Testing

@testable import IDVRunner

/// Letter files: names that cannot escape the directory, private atomic writes.
@Suite("Letter store")
struct LetterStoreTests {
    @Test(
        "unsafe names stay inside the directory and stay distinct",
        arguments: ["../x", "a/b", "..", ".hidden", "", "a b", "ü", "/etc/passwd", "a_b"])
    func safeNames(name: String) {
        let safe = LetterStore.safeName(name)
        #expect(!safe.isEmpty && !safe.hasPrefix(".") && !safe.contains("/"))
        #expect(safe != "..")
        if name != "a_b" { #expect(safe != LetterStore.safeName("a_b")) }
    }

    @Test("a plain name is kept as is")
    func plainName() {
        #expect(LetterStore.safeName("emp-000417") == "emp-000417")
    }

    /// Two references of 126 characters sharing their first 120, whose SHA-256 digests begin with the same 10
    /// hex digits (40 bits: a collision takes seconds to find); found once with a birthday search.
    static let collidingRefs = (
        "applicant-" + String(repeating: "x", count: 110) + "aaw8am",
        "applicant-" + String(repeating: "x", count: 110) + "abiimk"
    )

    @Test("two long references sharing their first 120 characters get two letter files, each keeping its letter")
    func longReferencesNeverShareAFile() throws {
        let (first, second) = Self.collidingRefs
        #expect(first.count == 126 && first.prefix(120) == second.prefix(120))
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("letters-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: directory) }
        let store = LetterStore(directory: directory)
        #expect(store.path(batch: "b", externalRef: first) != store.path(batch: "b", externalRef: second))
        let savedFirst = try store.save(Array("%PDF-first".utf8), batch: "b", externalRef: first)
        let savedSecond = try store.save(Array("%PDF-second".utf8), batch: "b", externalRef: second)
        #expect(savedFirst.path != savedSecond.path)
        #expect(try Data(contentsOf: URL(fileURLWithPath: savedFirst.path)) == Data("%PDF-first".utf8))
        #expect(try Data(contentsOf: URL(fileURLWithPath: savedSecond.path)) == Data("%PDF-second".utf8))
        // Within the usual 255-byte limit of a file name.
        #expect(URL(fileURLWithPath: savedFirst.path).lastPathComponent.utf8.count <= 255)
    }

    @Test("save writes 0600 in DIR/<batch>/, replaces an earlier letter and leaves no temporary file")
    func save() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("letters-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: directory) }
        let store = LetterStore(directory: directory)
        _ = try store.save(Array("%PDF-old".utf8), batch: "b/../1", externalRef: "../../r")
        let saved = try store.save(Array("%PDF-new".utf8), batch: "b/../1", externalRef: "../../r")
        #expect(saved.bytes == 8)
        #expect(saved.path.hasPrefix(directory.path + "/"))
        #expect(try Data(contentsOf: URL(fileURLWithPath: saved.path)) == Data("%PDF-new".utf8))
        let attributes = try FileManager.default.attributesOfItem(atPath: saved.path)
        #expect(attributes[.posixPermissions] as? Int == 0o600)
        let folder = URL(fileURLWithPath: saved.path).deletingLastPathComponent().path
        #expect(try FileManager.default.contentsOfDirectory(atPath: folder).count == 1)
    }

    @Test("a temporary file left by a dead process (kill -9 mid-write) is removed; a live process's is kept")
    func orphansRemoved() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("letters-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: directory) }
        let folder = directory.appendingPathComponent(LetterStore.safeName("batch"), isDirectory: true)
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        // A process that has ended (reaped): its pid names no live process.
        let finished = Process()
        finished.executableURL = URL(fileURLWithPath: "/bin/true")
        try finished.run()
        finished.waitUntilExit()
        let host = LetterStore.safeName(ProcessInfo.processInfo.hostName)
        let orphan = ".\(host).\(finished.processIdentifier).\(UUID().uuidString).tmp"
        let live = ".\(host).1.\(UUID().uuidString).tmp"  // pid 1 is alive
        let otherHost = ".elsewhere.\(finished.processIdentifier).\(UUID().uuidString).tmp"
        for name in [orphan, live, otherHost] {
            #expect(
                FileManager.default.createFile(
                    atPath: folder.appendingPathComponent(name).path, contents: Data("%PDF".utf8)))
        }
        _ = try LetterStore(directory: directory).save(Array("%PDF-1".utf8), batch: "batch", externalRef: "r")
        let names = Set(try FileManager.default.contentsOfDirectory(atPath: folder.path))
        #expect(names == [live, otherHost, "r.pdf"])
    }
}
