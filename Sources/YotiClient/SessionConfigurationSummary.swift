/// One entry of Yoti Sign's configuration list: `{"name", "is_custom", "is_private"}`.
package struct SessionConfigurationSummary: Sendable, Hashable, Codable, CustomStringConvertible {
    package var name: String
    /// Whether the configuration was created through the API (as opposed to a built-in one).
    package var isCustom: Bool?
    /// Whether only the API key that created it can use it.
    package var isPrivate: Bool?

    /// Creates a summary.
    package init(name: String, isCustom: Bool? = nil, isPrivate: Bool? = nil) {
        self.name = name
        self.isCustom = isCustom
        self.isPrivate = isPrivate
    }

    enum CodingKeys: String, CodingKey {
        case name
        case isCustom = "is_custom"
        case isPrivate = "is_private"
    }

    package var description: String {
        "\(name) (custom: \(isCustom.map(String.init) ?? "?"), private: \(isPrivate.map(String.init) ?? "?"))"
    }
}
