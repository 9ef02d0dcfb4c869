/// One entry of Yoti Sign's configuration list: `{"name", "is_custom", "is_private"}`.
public struct SessionConfigurationSummary: Sendable, Hashable, Codable, CustomStringConvertible {
    public var name: String
    /// Whether the configuration was created through the API (as opposed to a built-in one).
    public var isCustom: Bool?
    /// Whether only the API key that created it can use it.
    public var isPrivate: Bool?

    /// Creates a summary.
    public init(name: String, isCustom: Bool? = nil, isPrivate: Bool? = nil) {
        self.name = name
        self.isCustom = isCustom
        self.isPrivate = isPrivate
    }

    enum CodingKeys: String, CodingKey {
        case name
        case isCustom = "is_custom"
        case isPrivate = "is_private"
    }

    public var description: String {
        "\(name) (custom: \(isCustom.map(String.init) ?? "?"), private: \(isPrivate.map(String.init) ?? "?"))"
    }
}
