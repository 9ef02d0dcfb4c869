import Foundation
import Synchronization
import Testing

/// Collects the lines a log handler writes (`JSONLogHandler`'s output closure), for tests that read
/// them back.
package final class LogLines: Sendable {
    private let lines = Mutex<[String]>([])

    /// No lines yet.
    package init() {}

    /// Adds one written line.
    package func append(_ line: String) { lines.withLock { $0.append(line) } }

    /// Every line so far, in order.
    package var all: [String] { lines.withLock { $0 } }

    /// Every line parsed as a JSON object (fails the test on a line that is not one).
    package func objects() throws -> [[String: Any]] {
        try all.map { line in
            #expect(line.hasSuffix("\n") && line.dropLast().contains("\n") == false, "one line per event: \(line)")
            let object = try JSONSerialization.jsonObject(with: Data(line.utf8))
            return try #require(object as? [String: Any], "not an object: \(line)")
        }
    }
}
