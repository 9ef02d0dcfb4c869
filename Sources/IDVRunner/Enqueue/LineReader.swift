/// Splits a chunked byte stream into lines, keeping at most one line (up to a limit) in memory.
///
/// Lines end at `\n`; a `\r` before it is dropped, and a UTF-8 byte order mark at the very start is
/// skipped (spreadsheet exports). A line longer than `maxLineBytes` is not kept: its bytes are
/// counted and dropped as they arrive, and it is returned with ``InputLine/overlongLength`` set, so
/// a 10 MB line costs no more memory than a short one.
struct LineReader {
    private let source: ByteChunkReader
    private let maxLineBytes: Int
    private var buffer: [UInt8] = []
    private var start = 0
    private var lineNumber = 0
    private var finished = false
    private var atStart = true

    /// Reads lines from `source`, keeping lines of at most `maxLineBytes` bytes.
    init(source: ByteChunkReader, maxLineBytes: Int) {
        self.source = source
        self.maxLineBytes = max(1, maxLineBytes)
    }

    /// The next line, or `nil` at end of input (a last line without `\n` is still returned).
    /// - Throws: ``OperationError`` `.input` when reading fails.
    mutating func next() async throws -> InputLine? {
        var scanFrom = start
        while true {
            if let newline = buffer[scanFrom...].firstIndex(of: UInt8(ascii: "\n")) {
                let line = take(upTo: newline)
                start = newline + 1
                return line
            }
            if buffer.count - start > maxLineBytes {
                return try await skipOverlongLine()
            }
            if finished {
                guard start < buffer.count else { return nil }
                let line = take(upTo: buffer.count)
                start = buffer.count
                return line
            }
            // refill() drops the consumed prefix, so remember how far past `start` was already searched.
            let searched = buffer.count - start
            try await refill()
            scanFrom = start + searched
        }
    }

    /// Builds the line `buffer[start..<end]`, trimming `\r` and a leading byte order mark.
    private mutating func take(upTo end: Int) -> InputLine {
        lineNumber += 1
        var lower = start
        var upper = end
        if atStart {
            atStart = false
            if upper - lower >= 3, buffer[lower] == 0xEF, buffer[lower + 1] == 0xBB, buffer[lower + 2] == 0xBF {
                lower += 3
            }
        }
        if upper > lower, buffer[upper - 1] == UInt8(ascii: "\r") { upper -= 1 }
        return InputLine(number: lineNumber, bytes: Array(buffer[lower..<upper]), overlongLength: nil)
    }

    /// Drops the rest of a line that is over the limit, counting its bytes.
    private mutating func skipOverlongLine() async throws -> InputLine {
        lineNumber += 1
        atStart = false
        var length = buffer.count - start
        buffer.removeAll(keepingCapacity: false)
        start = 0
        while !finished {
            try await refill()
            if let newline = buffer.firstIndex(of: UInt8(ascii: "\n")) {
                length += newline
                start = newline + 1
                return InputLine(number: lineNumber, bytes: [], overlongLength: length)
            }
            length += buffer.count
            buffer.removeAll(keepingCapacity: true)
        }
        return InputLine(number: lineNumber, bytes: [], overlongLength: length)
    }

    /// Appends the next chunk, first dropping consumed bytes so the buffer stays about one line long.
    private mutating func refill() async throws {
        if start > 0 {
            buffer.removeSubrange(0..<start)
            start = 0
        }
        if let chunk = try await source.next() {
            buffer.append(contentsOf: chunk)
        } else {
            finished = true
        }
    }
}
