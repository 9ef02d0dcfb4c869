import Foundation
import TestSupport
import YotiAPI

/// Paths to this target's fixtures and to the Yoti test data in `Tests/Fixtures/yoti`.
enum TestFixtures {
    /// `Fixtures/` as copied into the test bundle.
    static var directory: URL {
        Bundle.module.url(forResource: "Fixtures", withExtension: nil)!
    }

    static func path(_ relative: String) -> String {
        directory.appendingPathComponent(relative).path
    }

    static func json(_ relative: String) throws -> JSONValue {
        try JSONValue(jsonBytes: Array(Data(contentsOf: directory.appendingPathComponent(relative))))
    }

    /// The known-answer vectors in `Tests/Fixtures/yoti/vectors.json`.
    static func vectors() throws -> [SigningVector] {
        let data = try Data(contentsOf: SharedPaths.yotiTestdata.appendingPathComponent("vectors.json"))
        return try JSONDecoder().decode(VectorFile.self, from: data).vectors
    }

    struct VectorFile: Decodable { var vectors: [SigningVector] }
}

/// One known-answer signing vector.
struct SigningVector: Decodable, Sendable, CustomStringConvertible {
    var name: String
    var method: String
    var path: String
    var query: String
    var body: String?
    var message: String
    var digest: String
    var description: String { name }
}
