import Yams

/// Reads one YAML mapping of a job file with typed accessors, remembering which keys were asked
/// for so that any other key is reported as unknown (with the accepted ones), never ignored.
struct JobFileMapping {
    private struct Entry {
        var node: Node
        var line: Int?
    }

    let file: String
    /// The dotted path of this mapping (`""` at the top, `run.` inside `run:`).
    let prefix: String
    private var entries: [String: Entry] = [:]
    private var keyOrder: [String] = []
    private var asked: [String] = []

    /// Wraps `node`, which must be a mapping with string keys.
    /// - Throws: ``JobFileError`` `.syntax` otherwise.
    init(_ node: Node, prefix: String, file: String) throws {
        self.file = file
        self.prefix = prefix
        guard case .mapping(let mapping) = node else {
            let place = prefix.isEmpty ? "the file" : String(prefix.dropLast())
            throw JobFileError(
                code: .syntax, file: file, key: prefix.isEmpty ? nil : String(prefix.dropLast()), line: node.mark?.line,
                message: "\(place) must be a mapping of `key: value` lines")
        }
        for (key, value) in mapping {
            guard case .scalar(let scalar) = key else {
                throw JobFileError(code: .syntax, file: file, line: key.mark?.line, message: "keys must be plain words")
            }
            entries[scalar.string] = Entry(node: value, line: key.mark?.line)
            keyOrder.append(scalar.string)
        }
    }

    /// A text value.
    mutating func string(_ key: String) throws -> String? {
        guard let entry = take(key) else { return nil }
        guard case .scalar(let scalar) = entry.node else { throw invalid(key, entry, "must be text") }
        return scalar.string
    }

    /// An integer in `range`.
    mutating func int(_ key: String, in range: ClosedRange<Int> = Int.min...Int.max) throws -> Int? {
        guard let entry = take(key) else { return nil }
        guard let value = entry.node.int else { throw invalid(key, entry, "must be an integer") }
        guard range.contains(value) else {
            throw invalid(key, entry, "must be between \(range.lowerBound) and \(range.upperBound)")
        }
        return value
    }

    /// A number greater than or equal to `minimum`.
    mutating func number(_ key: String, minimum: Double = -.infinity) throws -> Double? {
        guard let entry = take(key) else { return nil }
        guard let value = entry.node.float ?? entry.node.int.map(Double.init), value.isFinite else {
            throw invalid(key, entry, "must be a number")
        }
        guard value >= minimum else { throw invalid(key, entry, "must be at least \(minimum)") }
        return value
    }

    /// `true` or `false` (also yes/no, on/off).
    mutating func bool(_ key: String) throws -> Bool? {
        guard let entry = take(key) else { return nil }
        guard let value = entry.node.bool else { throw invalid(key, entry, "must be true or false") }
        return value
    }

    /// A list of texts (`[a, b]` or one per `- ` line); a single text counts as a list of one.
    mutating func strings(_ key: String) throws -> [String]? {
        guard let entry = take(key) else { return nil }
        switch entry.node {
        case .scalar(let scalar):
            return [scalar.string]
        case .sequence(let sequence):
            return try sequence.map { element in
                guard case .scalar(let scalar) = element else { throw invalid(key, entry, "must be a list of texts") }
                return scalar.string
            }
        default:
            throw invalid(key, entry, "must be a list of texts")
        }
    }

    /// A list of integers; a single integer counts as a list of one.
    mutating func ints(_ key: String, in range: ClosedRange<Int>) throws -> [Int]? {
        guard let entry = take(key) else { return nil }
        let elements: [Node]
        if case .sequence(let sequence) = entry.node { elements = Array(sequence) } else { elements = [entry.node] }
        return try elements.map { element in
            guard let value = element.int, range.contains(value) else {
                throw invalid(
                    key, entry, "must be a list of integers between \(range.lowerBound) and \(range.upperBound)")
            }
            return value
        }
    }

    /// A nested mapping.
    mutating func section(_ key: String) throws -> JobFileMapping? {
        guard let entry = take(key) else { return nil }
        return try JobFileMapping(entry.node, prefix: prefix + key + ".", file: file)
    }

    /// Whether the mapping has `key` with a non-null value (without marking it as read).
    func has(_ key: String) -> Bool {
        guard let entry = entries[key] else { return false }
        return !Self.isNull(entry.node)
    }

    /// The line of `key`, for messages.
    func line(of key: String) -> Int? { entries[key]?.line }

    /// Throws for the first key that was never asked for, listing the accepted ones; keys that look
    /// like secrets get a message saying where secrets go instead.
    func rejectUnknownKeys() throws {
        for key in keyOrder where !asked.contains(key) {
            let entry = entries[key]
            if Self.looksSecret(key) {
                throw JobFileError(
                    code: .secret, file: file, key: prefix + key, line: entry?.line,
                    message: "job files never hold secrets: put the value in an environment variable or a file "
                        + "and name that (the *_env and *_file keys)")
            }
            throw JobFileError(
                code: .unknownKey, file: file, key: prefix + key, line: entry?.line,
                message: "unknown key; accepted here: \(asked.joined(separator: ", "))")
        }
    }

    private mutating func take(_ key: String) -> Entry? {
        asked.append(key)
        guard let entry = entries[key], !Self.isNull(entry.node) else { return nil }
        return entry
    }

    private func invalid(_ key: String, _ entry: Entry, _ requirement: String) -> JobFileError {
        let found: String
        switch entry.node {
        case .scalar(let scalar): found = "\"\(scalar.string)\""
        case .sequence: found = "a list"
        case .mapping: found = "a mapping"
        case .alias: found = "an alias"
        }
        return JobFileError(
            code: .invalidValue, file: file, key: prefix + key, line: entry.node.mark?.line ?? entry.line,
            message: "\(requirement), found \(found)")
    }

    private static func isNull(_ node: Node) -> Bool {
        guard case .scalar(let scalar) = node, scalar.style == .plain || scalar.style == .any else { return false }
        return ["", "~", "null", "Null", "NULL"].contains(scalar.string)
    }

    private static func looksSecret(_ key: String) -> Bool {
        let lowered = key.lowercased()
        guard !lowered.hasSuffix("_env"), !lowered.hasSuffix("_file") else { return false }
        return ["password", "secret", "api_key", "apikey", "token", "private_key", "pem"].contains {
            lowered.contains($0)
        }
    }
}
