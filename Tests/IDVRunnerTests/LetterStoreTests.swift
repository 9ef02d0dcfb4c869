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
}
