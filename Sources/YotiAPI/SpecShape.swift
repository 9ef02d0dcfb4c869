/// What one JSON value in a session spec must look like: the validator's schema language.
///
/// Only what is certainly wrong is described: types, documented enum values and formats.
/// Members an object shape does not list are unknown fields and always pass.
indirect enum SpecShape: Sendable {
    /// Any JSON value.
    case anything
    /// A string in the given format.
    case string(SpecStringFormat)
    /// An integer (Yoti also accepts digit strings, as in its own IBV example) of at least `minimum`;
    /// `rule` words the bound for the message ("more than 300 seconds").
    case integer(minimum: Int64?, rule: String?)
    /// A number, optionally within a range.
    case number(ClosedRange<Double>?)
    /// A money amount: a number or a decimal string.
    case amount
    /// `true` or `false`.
    case boolean
    /// A string from a documented list. An `open` list is one Yoti extends over time: a value outside it
    /// is only a warning (``SessionSpecProblem/Severity/unknownValue``), since Yoti may accept it.
    case oneOf([String], caseInsensitive: Bool, open: Bool)
    /// An array whose elements all have the shape.
    case array(SpecShape)
    /// An object with these known members (others pass).
    case object([String: SpecShape])
    /// An object with arbitrary keys whose values all have the shape.
    case map(SpecShape)
    /// An object whose known members depend on its tag member (usually `type`).
    case tagged(SpecTaggedShape)

    /// An integer with no bound.
    static let integer = SpecShape.integer(minimum: nil, rule: nil)
    /// Any string.
    static let text = SpecShape.string(.any)

    /// A string from an open documented list (Yoti adds values), matched exactly.
    static func oneOf(_ values: [String]) -> SpecShape { .oneOf(values, caseInsensitive: false, open: true) }
    /// A string from a closed list (every possible value is listed), matched exactly: anything else is an error.
    static func closed(_ values: [String]) -> SpecShape { .oneOf(values, caseInsensitive: false, open: false) }
}

/// Formats a string member may be required to have.
enum SpecStringFormat: Sendable {
    case any
    /// `#rrggbb`.
    case colour
    /// ISO 3166-1 alpha-3: three upper-case letters.
    case countryAlpha3
    /// ISO 4217: three upper-case letters.
    case currency
    /// An absolute http or https URL.
    case url
    /// `YYYY-MM-DD`.
    case date
    /// RFC 3339 date-time.
    case dateTime
}

/// An object discriminated by a tag member: which members are known depends on the tag's value.
struct SpecTaggedShape: Sendable {
    /// The discriminating member.
    var tag: String = "type"
    /// The documented tag values.
    var values: [String]
    /// Whether Yoti adds tag values over time: an unknown tag is then a warning, and only the common
    /// members are checked.
    var open: Bool = true
    /// Members known whatever the tag.
    var common: [String: SpecShape] = [:]
    /// Extra members known for particular tag values.
    var variants: [String: [String: SpecShape]] = [:]
}
