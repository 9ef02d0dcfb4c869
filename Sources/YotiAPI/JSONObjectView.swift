/// A typed view over a JSON object that keeps the whole object, so members without an accessor —
/// unknown fields, at any depth — survive a decode–encode round trip untouched.
///
/// Accessors read leniently (a member of the wrong JSON type reads as `nil`; integers also read
/// from digit strings) and write exactly. Setting `nil` removes the member. Wrong types are the
/// validator's business (``SessionSpecValidator``), not the decoder's: decoding never fails on them.
package protocol JSONObjectView: Codable, Sendable, Hashable, CustomStringConvertible, CustomDebugStringConvertible,
    CustomReflectable
{
    /// The underlying JSON (an object, unless someone stored something else).
    var json: JSONValue { get set }
    /// Wraps a JSON value.
    init(json: JSONValue)
}

extension JSONObjectView {
    /// An empty object.
    package init() { self.init(json: .object([:])) }

    /// Decodes any JSON value; never fails on unexpected members or types.
    package init(from decoder: any Decoder) throws {
        self.init(json: try JSONValue(from: decoder))
    }

    /// Encodes the underlying JSON unchanged.
    package func encode(to encoder: any Encoder) throws {
        try json.encode(to: encoder)
    }

    /// Compact JSON with secrets redacted (``JSONValue/redactingSecrets()``): safe for logs.
    package var description: String { json.redactingSecrets().jsonString() }
    package var debugDescription: String { description }
    /// What `dump` and debuggers show: the redacted JSON.
    package var customMirror: Mirror { Mirror(self, children: ["json": json.redactingSecrets()]) }

    /// The raw member, or `nil`. Setting `nil` removes it.
    package subscript(json key: String) -> JSONValue? {
        get { json[key] }
        set {
            guard case .object(var members) = json else {
                if let newValue { json = .object([key: newValue]) }
                return
            }
            members[key] = newValue
            json = .object(members)
        }
    }

    /// A string member.
    package subscript(string key: String) -> String? {
        get { self[json: key]?.stringValue }
        set { self[json: key] = newValue.map(JSONValue.string) }
    }

    /// An integer member (also read from an integral number or a digit string).
    package subscript(integer key: String) -> Int? {
        get { self[json: key].flatMap(SpecChecker.lenientInteger).map { Int($0) } }
        set { self[json: key] = newValue.map { .integer(Int64($0)) } }
    }

    /// A numeric member.
    package subscript(number key: String) -> Double? {
        get { self[json: key].flatMap(SpecChecker.number) }
        set { self[json: key] = newValue.map(JSONValue.double) }
    }

    /// A boolean member.
    package subscript(bool key: String) -> Bool? {
        get { self[json: key]?.boolValue }
        set { self[json: key] = newValue.map(JSONValue.bool) }
    }

    /// An array of strings (non-string elements are skipped when reading).
    package subscript(strings key: String) -> [String]? {
        get { self[json: key]?.arrayValue?.compactMap(\.stringValue) }
        set { self[json: key] = newValue.map { .array($0.map(JSONValue.string)) } }
    }

    /// A nested typed view.
    package subscript<View: JSONObjectView>(view key: String) -> View? {
        get { self[json: key].map(View.init(json:)) }
        set { self[json: key] = newValue?.json }
    }

    /// An array of typed views, one per element.
    package subscript<View: JSONObjectView>(views key: String) -> [View]? {
        get { self[json: key]?.arrayValue?.map(View.init(json:)) }
        set { self[json: key] = newValue.map { .array($0.map(\.json)) } }
    }
}
