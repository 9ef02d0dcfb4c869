import Foundation

/// One numbered schema migration file, `NNNN_name.sql`.
package struct Migration: Sendable, Hashable {
    /// The number in the file name (`0001_initial.sql` → 1); migrations apply in this order.
    package let version: Int
    /// The descriptive part of the file name (`initial`).
    package let name: String
    /// The file name (`0001_initial.sql`).
    package let fileName: String
    /// The file's SQL text.
    package let sql: String

    /// Reads a migration from a file named `NNNN_name.sql`.
    ///
    /// - Returns: `nil` when the file name does not follow the pattern.
    /// - Throws: An error when the file cannot be read as UTF-8.
    init?(file: URL) throws {
        let fileName = file.lastPathComponent
        guard fileName.hasSuffix(".sql") else { return nil }
        let stem = fileName.dropLast(4)
        guard let underscore = stem.firstIndex(of: "_") else { return nil }
        let number = stem[..<underscore]
        let name = stem[stem.index(after: underscore)...]
        guard number.count >= 4, number.allSatisfy(\.isASCII), let version = Int(number), !name.isEmpty,
            name.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "_" || $0 == "-") })
        else { return nil }
        self.version = version
        self.name = String(name)
        self.fileName = fileName
        self.sql = try String(contentsOf: file, encoding: .utf8)
    }
}
