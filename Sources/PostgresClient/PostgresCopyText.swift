/// Rows in PostgreSQL's COPY text format, for ``PostgresConnection/copyIn(_:data:)``.
///
/// Columns are separated by tabs and rows end with a newline; `nil` is `\N`; a backslash, tab, newline
/// or carriage return inside a value is escaped (`\\`, `\t`, `\n`, `\r`), everything else (UTF-8
/// included) goes as it is. PostgreSQL text cannot hold NUL, so values must not contain it.
package struct PostgresCopyText: Sendable {
    /// The encoded rows so far.
    package private(set) var bytes: [UInt8] = []
    /// How many rows were appended.
    package private(set) var rowCount = 0

    package init() {}

    /// Appends one row; every row of one COPY must have the same number of columns.
    package mutating func appendRow(_ values: [String?]) {
        for (column, value) in values.enumerated() {
            if column > 0 { bytes.append(0x09) }
            guard let value else {
                bytes.append(contentsOf: [0x5C, 0x4E])  // \N
                continue
            }
            var text = value
            text.withUTF8 { utf8 in
                // Copy runs of ordinary bytes at once; escape the four special ones.
                var runStart = 0
                for (offset, byte) in utf8.enumerated() {
                    let escaped: UInt8
                    switch byte {
                    case 0x5C: escaped = 0x5C
                    case 0x09: escaped = 0x74
                    case 0x0A: escaped = 0x6E
                    case 0x0D: escaped = 0x72
                    default: continue
                    }
                    bytes.append(contentsOf: UnsafeBufferPointer(rebasing: utf8[runStart..<offset]))
                    bytes.append(0x5C)
                    bytes.append(escaped)
                    runStart = offset + 1
                }
                bytes.append(contentsOf: UnsafeBufferPointer(rebasing: utf8[runStart...]))
            }
        }
        bytes.append(0x0A)
        rowCount += 1
    }

    /// Empties the rows, keeping the buffer's capacity for the next batch.
    package mutating func removeAll() {
        bytes.removeAll(keepingCapacity: true)
        rowCount = 0
    }
}
