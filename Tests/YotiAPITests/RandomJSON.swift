import PropertyBased
import YotiAPI

/// Random JSON documents for the property tests: every kind of value, nested a few levels deep, with
/// keys that collide often enough for merges to meet existing members.
enum RandomJSON {
    /// Any JSON value (objects may hold `null` members when `nulls` is true).
    static func value(depth: Int = 3, nulls: Bool = true) -> Generator<JSONValue, Shrink.None<JSONValue>> {
        Generator { rng in make(depth: depth, nulls: nulls, using: &rng) }
    }

    /// A JSON object.
    static func object(depth: Int = 3, nulls: Bool = true) -> Generator<JSONValue, Shrink.None<JSONValue>> {
        Generator { rng in makeObject(depth: depth, nulls: nulls, using: &rng) }
    }

    /// Any JSON value that is not an object (an object drawn is wrapped in an array).
    static func nonObject(depth: Int = 3) -> Generator<JSONValue, Shrink.None<JSONValue>> {
        Generator { rng in
            let value = make(depth: depth, nulls: true, using: &rng)
            return value.objectValue == nil ? value : .array([value])
        }
    }

    /// Keys from a small alphabet, so patches and targets share members; a few unusual ones too.
    static let keys = ["a", "b", "c", "d", "e", "name", "x_unknown", "é", "with space", "\"quoted\"", "", "0"]

    static func make(depth: Int, nulls: Bool, using rng: inout some RandomNumberGenerator) -> JSONValue {
        let kinds = depth > 0 ? 8 : 6
        switch Int.random(in: 0..<kinds, using: &rng) {
        case 0: return nulls ? .null : .bool(true)
        case 1: return .bool(Bool.random(using: &rng))
        case 2:
            let magnitude = [Int64(10), 1_000_000, Int64.max][Int.random(in: 0..<3, using: &rng)]
            return .integer(Int64.random(in: -magnitude...magnitude, using: &rng))
        case 3:
            // Non-integral: an integral number reads back as `.integer`, by design.
            let number = Double.random(in: -1e6...1e6, using: &rng).rounded(
                toPlaces: Int.random(in: 1...6, using: &rng))
            return .double(number.rounded() == number ? number + 0.5 : number)
        case 4, 5: return .string(string(using: &rng))
        case 6:
            return .array(
                (0..<Int.random(in: 0...4, using: &rng)).map { _ in make(depth: depth - 1, nulls: nulls, using: &rng) })
        default: return makeObject(depth: depth - 1, nulls: nulls, using: &rng)
        }
    }

    static func makeObject(depth: Int, nulls: Bool, using rng: inout some RandomNumberGenerator) -> JSONValue {
        var members: [String: JSONValue] = [:]
        for _ in 0..<Int.random(in: 0...5, using: &rng) {
            members[keys.randomElement(using: &rng)!] = make(depth: max(depth, 0), nulls: nulls, using: &rng)
        }
        return .object(members)
    }

    static func string(using rng: inout some RandomNumberGenerator) -> String {
        let pieces = [
            "a", "Z", "0", " ", "\"", "\\", "/", "\n", "\t", "\u{0}", "\u{1F}", "é", "✓", "😀", "\u{2028}", "'", "<",
            "&",
        ]
        return (0..<Int.random(in: 0...8, using: &rng)).map { _ in pieces.randomElement(using: &rng)! }.joined()
    }
}

extension Double {
    /// The value rounded to `places` decimals (keeps generated doubles readable in failure messages).
    func rounded(toPlaces places: Int) -> Double {
        var scale = 1.0
        for _ in 0..<places { scale *= 10 }
        return (self * scale).rounded() / scale
    }
}
