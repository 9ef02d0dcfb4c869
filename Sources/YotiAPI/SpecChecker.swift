import Foundation

/// Walks a JSON value against a ``SpecShape`` and collects every problem with its path.
struct SpecChecker {
    private(set) var problems: [SessionSpecProblem] = []

    mutating func report(_ path: String, _ message: String) {
        problems.append(SessionSpecProblem(path: path.isEmpty ? "$" : path, message: message))
    }

    /// Reports a value outside a documented list: an error for a closed list, a warning for an open one.
    mutating func reportUnknown(_ path: String, _ value: String, allowed: [String], open: Bool) {
        problems.append(
            SessionSpecProblem(
                path: path.isEmpty ? "$" : path,
                message: "\(Self.quote(value)) is not one of \(allowed.joined(separator: ", "))",
                severity: open ? .unknownValue : .error,
                value: open ? value : nil))
    }

    /// Checks `value` (found at `path`) against `shape`. `null` counts as absent and always passes.
    mutating func check(_ value: JSONValue, against shape: SpecShape, at path: String) {
        if value.isNull { return }
        switch shape {
        case .anything:
            return
        case .string(let format):
            guard case .string(let s) = value else { return mismatch(path, "a string", value) }
            checkFormat(s, format, at: path)
        case .integer(let minimum, let rule):
            guard let n = Self.lenientInteger(value) else { return mismatch(path, "an integer", value) }
            if let minimum, n < minimum {
                report(path, "\(n) is too small: must be \(rule ?? "at least \(minimum)")")
            }
        case .number(let range):
            guard let d = Self.number(value) else { return mismatch(path, "a number", value) }
            if let range, !range.contains(d) {
                report(
                    path,
                    "\(Self.format(d)) is out of range: must be between \(Self.format(range.lowerBound)) and \(Self.format(range.upperBound))"
                )
            }
        case .amount:
            switch value {
            case .integer, .double: return
            case .string(let s) where Double(s) != nil && s.allSatisfy({ $0.isNumber || $0 == "." }): return
            default:
                report(
                    path,
                    "expected an amount (a number or a decimal string such as \"12.50\"), found \(Self.describe(value))"
                )
            }
        case .boolean:
            guard case .bool = value else { return mismatch(path, "true or false", value) }
        case .oneOf(let allowed, let caseInsensitive, let open):
            guard case .string(let s) = value else {
                return mismatch(path, "a string (one of \(allowed.joined(separator: ", ")))", value)
            }
            let known =
                caseInsensitive
                ? allowed.contains { $0.caseInsensitiveCompare(s) == .orderedSame } : allowed.contains(s)
            if !known { reportUnknown(path, s, allowed: allowed, open: open) }
        case .array(let element):
            guard case .array(let elements) = value else { return mismatch(path, "an array", value) }
            for (index, item) in elements.enumerated() {
                check(item, against: element, at: "\(path)[\(index)]")
            }
        case .object(let members):
            guard case .object(let object) = value else { return mismatch(path, "an object", value) }
            checkMembers(object, members, at: path)
        case .map(let valueShape):
            guard case .object(let object) = value else { return mismatch(path, "an object", value) }
            for key in object.keys.sorted() {
                check(object[key]!, against: valueShape, at: Self.member(path, key))
            }
        case .tagged(let tagged):
            guard case .object(let object) = value else { return mismatch(path, "an object", value) }
            var members = tagged.common
            let tagPath = Self.member(path, tagged.tag)
            switch object[tagged.tag] {
            case nil, .null?:
                report(tagPath, "is required (one of \(tagged.values.joined(separator: ", ")))")
            case .string(let tag)?:
                if tagged.values.contains(tag) {
                    members.merge(tagged.variants[tag] ?? [:]) { _, variant in variant }
                } else {
                    // An unknown tag of an open list: only the common members can be judged.
                    reportUnknown(tagPath, tag, allowed: tagged.values, open: tagged.open)
                }
            case let other?:
                mismatch(tagPath, "a string (one of \(tagged.values.joined(separator: ", ")))", other)
            }
            members[tagged.tag] = nil
            checkMembers(object, members, at: path)
        }
    }

    /// Checks one member of an object whose members have the shapes `members` (what checking the
    /// whole object does for that member). Unknown members pass.
    mutating func checkMember(_ key: String, _ value: JSONValue, of members: [String: SpecShape]) {
        guard let shape = members[key] else { return }
        check(value, against: shape, at: key)
    }

    /// Adds problems found earlier (by the same checks on the same value).
    mutating func append(_ found: [SessionSpecProblem]) {
        problems.append(contentsOf: found)
    }

    private mutating func checkMembers(_ object: [String: JSONValue], _ members: [String: SpecShape], at path: String) {
        // Sorted so that problems come out in a stable order.
        for key in object.keys.sorted() {
            guard let shape = members[key] else { continue }  // unknown fields pass untouched
            check(object[key]!, against: shape, at: Self.member(path, key))
        }
    }

    private mutating func checkFormat(_ s: String, _ format: SpecStringFormat, at path: String) {
        switch format {
        case .any:
            return
        case .colour:
            let hex = s.dropFirst()
            if !(s.first == "#" && hex.count == 6 && hex.allSatisfy(\.isHexDigit)) {
                report(path, "\(Self.quote(s)) is not a colour in the form #rrggbb (e.g. #2d9fff)")
            }
        case .countryAlpha3:
            if !Self.isThreeUpperCaseLetters(s) {
                report(
                    path,
                    "\(Self.quote(s)) is not an ISO 3166-1 alpha-3 country code (three upper-case letters, e.g. GBR)")
            }
        case .currency:
            if !Self.isThreeUpperCaseLetters(s) {
                report(path, "\(Self.quote(s)) is not an ISO 4217 currency code (three upper-case letters, e.g. GBP)")
            }
        case .url:
            if let url = URL(string: s), let scheme = url.scheme?.lowercased(), scheme == "https" || scheme == "http",
                let host = url.host, !host.isEmpty
            {
                return
            }
            report(path, "\(Self.quote(s)) is not an absolute http(s) URL")
        case .date:
            if RFC3339.calendarDate(s) == nil {
                report(path, "\(Self.quote(s)) is not a date in the form YYYY-MM-DD")
            }
        case .dateTime:
            if RFC3339.date(from: s) == nil {
                report(path, "\(Self.quote(s)) is not an RFC 3339 date-time (e.g. 2026-11-21T23:59:59Z)")
            }
        }
    }

    private mutating func mismatch(_ path: String, _ expected: String, _ found: JSONValue) {
        report(path, "expected \(expected), found \(Self.describe(found))")
    }

    // MARK: - Helpers shared with the validator's cross-field rules

    /// An integer, also from an integral number or a string of digits (Yoti's own IBV example sends
    /// `"resources_ttl": "1209600"`, and its API accepts it).
    static func lenientInteger(_ value: JSONValue) -> Int64? {
        switch value {
        case .integer(let i): return i
        case .double: return value.int64Value
        case .string(let s):
            let digits = s.hasPrefix("-") ? s.dropFirst() : Substring(s)
            guard !digits.isEmpty, digits.allSatisfy({ $0.isASCII && $0.isNumber }) else { return nil }
            return Int64(s)
        default: return nil
        }
    }

    static func number(_ value: JSONValue) -> Double? {
        switch value {
        case .integer(let i): return Double(i)
        case .double(let d): return d
        default: return nil
        }
    }

    static func member(_ path: String, _ key: String) -> String { path.isEmpty ? key : "\(path).\(key)" }

    /// The JSON type of a value; never the value itself, which may be a secret.
    static func describe(_ value: JSONValue) -> String { value.typeDescription }

    /// A string value quoted for a message, shortened so a message stays one readable line.
    static func quote(_ s: String) -> String {
        let shown = s.count > 60 ? String(s.prefix(57)) + "..." : s
        return JSONValue.string(shown).jsonString()
    }

    static func isThreeUpperCaseLetters(_ s: String) -> Bool {
        s.count == 3 && s.unicodeScalars.allSatisfy { $0.value >= 65 && $0.value <= 90 }
    }

    static func format(_ d: Double) -> String {
        d.rounded() == d && abs(d) < 1e15 ? String(Int64(d)) : String(d)
    }
}

extension Optional where Wrapped == JSONValue {
    /// The value unless it is absent or JSON `null`. (Spelled out because `nil` in a closure
    /// returning `JSONValue` silently becomes `.null` through `ExpressibleByNilLiteral`.)
    var nonNull: JSONValue? {
        switch self {
        case .none, .some(.null): return Optional<JSONValue>.none
        case .some(let value): return value
        }
    }
}
