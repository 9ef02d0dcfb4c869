/// Reads and writes one-dimensional PostgreSQL array literals (`{1,2,NULL}`, `{"a","b \"c\""}`).
///
/// Elements are always written quoted, so no value can be mistaken for `NULL` or split on a comma
/// or brace; reading follows the server's output rules (quoted or bare elements, backslash escapes,
/// bare `NULL`, an optional `[lower:upper]=` bounds prefix).
enum PostgresArrayLiteral {
    /// The array literal for `elements`; `nil` is written as a bare `NULL`.
    static func encode(_ elements: [String?]) -> String {
        var literal = "{"
        for (index, element) in elements.enumerated() {
            if index > 0 { literal.append(",") }
            guard let element else {
                literal.append("NULL")
                continue
            }
            literal.append("\"")
            for character in element {
                if character == "\"" || character == "\\" { literal.append("\\") }
                literal.append(character)
            }
            literal.append("\"")
        }
        literal.append("}")
        return literal
    }

    /// The elements of a one-dimensional array literal; `nil` for `NULL` elements.
    ///
    /// - Throws: ``ParseError`` for malformed or multi-dimensional literals.
    static func parse(_ literal: String) throws(ParseError) -> [String?] {
        var characters = Substring(literal).unicodeScalars[...]
        if characters.first == "[" {
            // Arrays whose lower bound is not 1 are printed as `[0:2]={...}`; the bounds do not matter here.
            guard let equals = characters.firstIndex(of: "=") else { throw ParseError("missing '=' after bounds") }
            characters = characters[characters.index(after: equals)...]
        }
        guard characters.popFirst() == "{", characters.popLast() == "}" else {
            throw ParseError("an array literal must be enclosed in braces")
        }
        var elements: [String?] = []
        if characters.allSatisfy({ $0 == " " }) { return elements }
        while true {
            elements.append(try parseElement(&characters))
            guard let separator = characters.popFirst() else { return elements }
            guard separator == "," else { throw ParseError("expected ',' between elements, found '\(separator)'") }
        }
    }

    private static func parseElement(_ characters: inout Substring.UnicodeScalarView.SubSequence) throws(ParseError)
        -> String?
    {
        skipSpaces(&characters)
        var value = String.UnicodeScalarView()
        if characters.first == "\"" {
            characters.removeFirst()
            while true {
                guard let character = characters.popFirst() else { throw ParseError("unterminated quoted element") }
                if character == "\"" { break }
                if character == "\\" {
                    guard let escaped = characters.popFirst() else { throw ParseError("dangling backslash") }
                    value.append(escaped)
                } else {
                    value.append(character)
                }
            }
            skipSpaces(&characters)
            return String(value)
        }
        var sawEscape = false
        while let character = characters.first, character != ",", character != "}" {
            characters.removeFirst()
            if character == "{" { throw ParseError("multi-dimensional arrays are not supported") }
            if character == "\\" {
                guard let escaped = characters.popFirst() else { throw ParseError("dangling backslash") }
                value.append(escaped)
                sawEscape = true
            } else {
                value.append(character)
            }
        }
        var text = String(value)
        while text.last == " " { text.removeLast() }
        if text.isEmpty { throw ParseError("empty unquoted element") }
        if !sawEscape, text.uppercased() == "NULL" { return nil }
        return text
    }

    private static func skipSpaces(_ characters: inout Substring.UnicodeScalarView.SubSequence) {
        while characters.first == " " { characters.removeFirst() }
    }

    /// Why an array literal could not be read.
    struct ParseError: Error, CustomStringConvertible {
        let description: String
        init(_ description: String) { self.description = description }
    }
}
