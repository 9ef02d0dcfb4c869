/// Why a text is not one JSON document, and where: what ``JSONValue/init(jsonBytes:)`` throws.
package struct JSONParseError: Error, Sendable, Hashable, CustomStringConvertible {
    /// What kind of mistake it is, for callers that word their own message (e.g. enqueue's UTF-8 advice).
    package enum Kind: Sendable, Hashable {
        /// Bytes inside a string that are not UTF-8. (Other stray bytes are `.syntax`.)
        case invalidUTF8
        /// Anything else: a missing or unexpected character, a bad escape or number, trailing data.
        case syntax
    }

    package var kind: Kind
    /// 1-based line of the problem (lines end at `\n`).
    package var line: Int
    /// 1-based column of the problem, in characters (UTF-8 sequences) from the start of its line.
    package var column: Int
    /// 0-based byte offset of the problem.
    package var offset: Int
    /// What is wrong, e.g. `expected ',' or '}' after an object member`.
    package var reason: String

    package var description: String { "\(reason) at line \(line), column \(column)" }
}

extension JSONValue {
    /// Parses one JSON document (RFC 8259) from UTF-8 bytes in one pass, building the value directly.
    ///
    /// Numbers follow ``JSONValue``'s rule: an integral value that fits `Int64` is `.integer` (also when
    /// written `1.0` or `1e2`), anything else `.double`; a number too large for a `Double` is an error.
    /// Leading and trailing whitespace is allowed, anything else after the value is not. A key that
    /// occurs twice in one object keeps its first value. Nesting is limited to 512 levels.
    /// - Throws: ``JSONParseError`` naming the problem and its line and column.
    package init(jsonBytes bytes: some Sequence<UInt8>) throws {
        let parsed: Result<JSONValue, JSONParseError>? = bytes.withContiguousStorageIfAvailable { buffer in
            var parser = JSONParser(buffer)
            return Result { () throws(JSONParseError) in try parser.parseDocument() }
        }
        if let parsed {
            self = try parsed.get()
        } else {
            let copy = Array(bytes)
            self = try copy.withUnsafeBufferPointer { buffer throws(JSONParseError) in
                var parser = JSONParser(buffer)
                return try parser.parseDocument()
            }
        }
    }

    /// Parses one JSON document from a string; see ``init(jsonBytes:)``.
    /// - Throws: ``JSONParseError`` when the text is not one JSON document.
    package init(jsonString string: String) throws {
        var text = string
        let parsed = text.withUTF8 { buffer in
            var parser = JSONParser(buffer)
            return Result { () throws(JSONParseError) in try parser.parseDocument() }
        }
        self = try parsed.get()
    }
}

/// A recursive-descent JSON parser over a byte buffer. No error is thrown (and nothing is retried)
/// unless the input is wrong; strings without escapes become `String`s straight from their bytes.
struct JSONParser {
    /// Deepest nesting accepted (as Foundation's JSONDecoder), so hostile input cannot exhaust the stack.
    static let maxDepth = 512

    private let bytes: UnsafeBufferPointer<UInt8>
    private var index = 0
    private var depth = 0
    /// Reused for strings with escapes.
    private var scratch: [UInt8] = []

    init(_ bytes: UnsafeBufferPointer<UInt8>) {
        self.bytes = bytes
    }

    /// The one value of the whole input, with only whitespace around it.
    mutating func parseDocument() throws(JSONParseError) -> JSONValue {
        skipWhitespace()
        let value = try parseValue()
        skipWhitespace()
        if index < bytes.count {
            throw error("unexpected \(describeByte(at: index)) after the JSON value (only one value is allowed)")
        }
        return value
    }

    // MARK: - Values

    private mutating func parseValue() throws(JSONParseError) -> JSONValue {
        guard index < bytes.count else { throw error("the text ends where a value was expected") }
        switch bytes[index] {
        case UInt8(ascii: "{"): return try parseObject()
        case UInt8(ascii: "["): return try parseArray()
        case UInt8(ascii: "\""): return .string(try parseString())
        case UInt8(ascii: "t"): return try parseLiteral("true", .bool(true))
        case UInt8(ascii: "f"): return try parseLiteral("false", .bool(false))
        case UInt8(ascii: "n"): return try parseLiteral("null", .null)
        case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"): return try parseNumber()
        default: throw error("unexpected \(describeByte(at: index)) where a value was expected")
        }
    }

    private mutating func parseLiteral(_ word: StaticString, _ value: JSONValue) throws(JSONParseError) -> JSONValue {
        let count = word.utf8CodeUnitCount
        let start = word.utf8Start
        for offset in 0..<count {
            guard index + offset < bytes.count, bytes[index + offset] == start[offset] else {
                throw error("unexpected \(describeByte(at: index)): expected \(word)", at: index)
            }
        }
        index += count
        return value
    }

    private mutating func enter() throws(JSONParseError) {
        depth += 1
        if depth > Self.maxDepth { throw error("nesting deeper than \(Self.maxDepth) levels") }
    }

    private mutating func parseObject() throws(JSONParseError) -> JSONValue {
        try enter()
        index += 1
        var members: [String: JSONValue] = [:]
        skipWhitespace()
        if index < bytes.count, bytes[index] == UInt8(ascii: "}") {
            index += 1
            depth -= 1
            return .object(members)
        }
        while true {
            guard index < bytes.count, bytes[index] == UInt8(ascii: "\"") else {
                throw error(
                    index < bytes.count
                        ? "unexpected \(describeByte(at: index)) where an object key (a string) was expected"
                        : "the text ends inside an object")
            }
            let key = try parseString()
            skipWhitespace()
            guard index < bytes.count, bytes[index] == UInt8(ascii: ":") else {
                throw error("expected ':' after the object key \"\(key)\"")
            }
            index += 1
            skipWhitespace()
            let value = try parseValue()
            if members[key] == nil { members[key] = value }
            skipWhitespace()
            guard index < bytes.count else { throw error("the text ends inside an object (expected ',' or '}')") }
            switch bytes[index] {
            case UInt8(ascii: ","):
                index += 1
                skipWhitespace()
            case UInt8(ascii: "}"):
                index += 1
                depth -= 1
                return .object(members)
            default:
                throw error("unexpected \(describeByte(at: index)) after an object member (expected ',' or '}')")
            }
        }
    }

    private mutating func parseArray() throws(JSONParseError) -> JSONValue {
        try enter()
        index += 1
        var elements: [JSONValue] = []
        skipWhitespace()
        if index < bytes.count, bytes[index] == UInt8(ascii: "]") {
            index += 1
            depth -= 1
            return .array(elements)
        }
        while true {
            elements.append(try parseValue())
            skipWhitespace()
            guard index < bytes.count else { throw error("the text ends inside an array (expected ',' or ']')") }
            switch bytes[index] {
            case UInt8(ascii: ","):
                index += 1
                skipWhitespace()
            case UInt8(ascii: "]"):
                index += 1
                depth -= 1
                return .array(elements)
            default:
                throw error("unexpected \(describeByte(at: index)) after an array element (expected ',' or ']')")
            }
        }
    }

    // MARK: - Strings

    /// The string starting at the opening quote at `index`; leaves `index` after the closing quote.
    private mutating func parseString() throws(JSONParseError) -> String {
        let opening = index
        index += 1
        let start = index
        // Fast path: no escapes, so the string is its bytes.
        while index < bytes.count {
            let byte = bytes[index]
            if byte == UInt8(ascii: "\"") {
                let text = try makeString(UnsafeBufferPointer(rebasing: bytes[start..<index]), from: start)
                index += 1
                return text
            }
            if byte == UInt8(ascii: "\\") { break }
            if byte < 0x20 { throw error(controlCharacterReason(byte)) }
            index += 1
        }
        guard index < bytes.count else { throw error("a string is not closed (missing '\"')", at: opening) }
        return try parseEscapedString(from: start, opening: opening)
    }

    /// The slow path of ``parseString()``: copies the string into ``scratch``, decoding escapes.
    private mutating func parseEscapedString(from start: Int, opening: Int) throws(JSONParseError) -> String {
        scratch.removeAll(keepingCapacity: true)
        scratch.append(contentsOf: UnsafeBufferPointer(rebasing: bytes[start..<index]))
        while index < bytes.count {
            let byte = bytes[index]
            switch byte {
            case UInt8(ascii: "\""):
                index += 1
                guard let text = String(validating: scratch, as: UTF8.self) else {
                    throw invalidUTF8(in: start..<(index - 1))
                }
                return text
            case UInt8(ascii: "\\"):
                try appendEscape()
            case ..<0x20:
                throw error(controlCharacterReason(byte))
            default:
                scratch.append(byte)
                index += 1
            }
        }
        throw error("a string is not closed (missing '\"')", at: opening)
    }

    /// Decodes the escape at `index` (a backslash) into ``scratch``.
    private mutating func appendEscape() throws(JSONParseError) {
        let escape = index
        guard index + 1 < bytes.count else { throw error("a string ends with an unfinished escape", at: escape) }
        let letter = bytes[index + 1]
        index += 2
        switch letter {
        case UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "/"): scratch.append(letter)
        case UInt8(ascii: "b"): scratch.append(0x08)
        case UInt8(ascii: "f"): scratch.append(0x0C)
        case UInt8(ascii: "n"): scratch.append(0x0A)
        case UInt8(ascii: "r"): scratch.append(0x0D)
        case UInt8(ascii: "t"): scratch.append(0x09)
        case UInt8(ascii: "u"):
            var scalar = try hexQuad(escape: escape)
            if (0xD800...0xDBFF).contains(scalar) {
                guard index + 1 < bytes.count, bytes[index] == UInt8(ascii: "\\"), bytes[index + 1] == UInt8(ascii: "u")
                else {
                    throw error("\\u escape of a lone high surrogate (a pair needs a \\uDC00-\\uDFFF next)", at: escape)
                }
                let lowEscape = index
                index += 2
                let low = try hexQuad(escape: lowEscape)
                guard (0xDC00...0xDFFF).contains(low) else {
                    throw error("\\u escape of a high surrogate not followed by a low one", at: escape)
                }
                scalar = 0x10000 + ((scalar - 0xD800) << 10) + (low - 0xDC00)
            } else if (0xDC00...0xDFFF).contains(scalar) {
                throw error("\\u escape of a lone low surrogate", at: escape)
            }
            // Every value here is a valid scalar: surrogates were combined or refused above.
            guard let unicode = Unicode.Scalar(scalar) else { throw error("invalid \\u escape", at: escape) }
            UTF8.encode(unicode) { scratch.append($0) }
        default:
            throw error(
                "invalid escape \\\(Self.printable(letter)) in a string (valid: \\\" \\\\ \\/ \\b \\f \\n \\r \\t \\uXXXX)",
                at: escape)
        }
    }

    /// The four hex digits after `\u` (at `index`), as a number.
    private mutating func hexQuad(escape: Int) throws(JSONParseError) -> UInt32 {
        guard index + 4 <= bytes.count else { throw error("\\u needs four hex digits", at: escape) }
        var value: UInt32 = 0
        for offset in 0..<4 {
            let byte = bytes[index + offset]
            let digit: UInt8
            switch byte {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): digit = byte - UInt8(ascii: "0")
            case UInt8(ascii: "a")...UInt8(ascii: "f"): digit = byte - UInt8(ascii: "a") + 10
            case UInt8(ascii: "A")...UInt8(ascii: "F"): digit = byte - UInt8(ascii: "A") + 10
            default: throw error("\\u needs four hex digits", at: escape)
            }
            value = value << 4 | UInt32(digit)
        }
        index += 4
        return value
    }

    private func makeString(_ slice: UnsafeBufferPointer<UInt8>, from start: Int) throws(JSONParseError) -> String {
        guard let text = String(validating: slice, as: UTF8.self) else {
            throw invalidUTF8(in: start..<(start + slice.count))
        }
        return text
    }

    private func invalidUTF8(in range: Range<Int>) -> JSONParseError {
        // Point at the first byte that does not decode.
        var iterator = UnsafeBufferPointer(rebasing: bytes[range]).makeIterator()
        var decoder = UTF8()
        var offset = range.lowerBound
        while case .scalarValue(let scalar) = decoder.decode(&iterator) {
            offset += UTF8.width(scalar)
        }
        var failure = error("invalid UTF-8 in a string", at: offset)
        failure.kind = .invalidUTF8
        return failure
    }

    private func controlCharacterReason(_ byte: UInt8) -> String {
        let name = byte == 0x0A ? "a line break" : byte == 0x09 ? "a tab" : "control character \(Self.hex(byte))"
        return "\(name) inside a string (write it as an escape, e.g. \\n, \\t or \\u00XX)"
    }

    // MARK: - Numbers

    private mutating func parseNumber() throws(JSONParseError) -> JSONValue {
        let start = index
        var negative = false
        if bytes[index] == UInt8(ascii: "-") {
            negative = true
            index += 1
        }
        guard index < bytes.count, Self.isDigit(bytes[index]) else {
            throw error("a number needs a digit after '-'", at: index)
        }
        // Accumulate negatively so Int64.min fits; overflow falls back to Double.
        var magnitude: Int64 = 0
        var overflow = false
        if bytes[index] == UInt8(ascii: "0") {
            index += 1
            if index < bytes.count, Self.isDigit(bytes[index]) {
                throw error("a number must not have leading zeros", at: start)
            }
        } else {
            while index < bytes.count, Self.isDigit(bytes[index]) {
                let digit = Int64(bytes[index] - UInt8(ascii: "0"))
                if !overflow {
                    let (times, o1) = magnitude.multipliedReportingOverflow(by: 10)
                    let (next, o2) = times.subtractingReportingOverflow(digit)
                    if o1 || o2 { overflow = true } else { magnitude = next }
                }
                index += 1
            }
        }
        var integral = true
        if index < bytes.count, bytes[index] == UInt8(ascii: ".") {
            integral = false
            index += 1
            guard index < bytes.count, Self.isDigit(bytes[index]) else {
                throw error("a number needs a digit after '.'", at: index)
            }
            while index < bytes.count, Self.isDigit(bytes[index]) { index += 1 }
        }
        if index < bytes.count, bytes[index] == UInt8(ascii: "e") || bytes[index] == UInt8(ascii: "E") {
            integral = false
            index += 1
            if index < bytes.count, bytes[index] == UInt8(ascii: "+") || bytes[index] == UInt8(ascii: "-") {
                index += 1
            }
            guard index < bytes.count, Self.isDigit(bytes[index]) else {
                throw error("a number needs a digit in its exponent", at: index)
            }
            while index < bytes.count, Self.isDigit(bytes[index]) { index += 1 }
        }
        if integral && !overflow {
            if negative { return .integer(magnitude) }
            if magnitude != .min { return .integer(-magnitude) }
        }
        // The grammar above admits only what Double's parser accepts.
        let text = String(decoding: UnsafeBufferPointer(rebasing: bytes[start..<index]), as: UTF8.self)
        guard let double = Double(text), double.isFinite else {
            throw error("the number \(text) is too large", at: start)
        }
        // As JSONValue always has: an integral value that fits Int64 is an integer, whatever its spelling.
        if double.rounded(.towardZero) == double, double >= -0x1p63, double < 0x1p63 {
            return .integer(Int64(double))
        }
        return .double(double)
    }

    private static func isDigit(_ byte: UInt8) -> Bool {
        byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9")
    }

    // MARK: - Whitespace and errors

    private mutating func skipWhitespace() {
        while index < bytes.count {
            switch bytes[index] {
            case 0x20, 0x0A, 0x0D, 0x09: index += 1
            default: return
            }
        }
    }

    private func describeByte(at offset: Int) -> String {
        guard offset < bytes.count else { return "end of text" }
        let byte = bytes[offset]
        if byte >= 0x80 { return "non-ASCII character" }
        return "'\(Self.printable(byte))'"
    }

    private static func printable(_ byte: UInt8) -> String {
        (0x21..<0x7F).contains(byte) ? String(UnicodeScalar(byte)) : hex(byte)
    }

    private static func hex(_ byte: UInt8) -> String {
        let digits = String(byte, radix: 16, uppercase: true)
        return "0x" + (digits.count == 1 ? "0" : "") + digits
    }

    /// An error at `offset` (default: the current position), with its line and column worked out.
    private func error(_ reason: String, at offset: Int? = nil) -> JSONParseError {
        let position = min(offset ?? index, bytes.count)
        var line = 1
        var column = 1
        for byte in UnsafeBufferPointer(rebasing: bytes[0..<position]) {
            if byte == 0x0A {
                line += 1
                column = 1
            } else if byte & 0xC0 != 0x80 {
                column += 1
            }
        }
        return JSONParseError(kind: .syntax, line: line, column: column, offset: position, reason: reason)
    }
}
