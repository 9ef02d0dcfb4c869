import YotiAPI

/// A Yoti Sign custom session configuration as the sandbox stored it.
public struct SandboxSignConfiguration: Sendable, Hashable {
    /// The configuration's name, unique per sandbox.
    public var name: String
    /// The request's `is_private` (false when absent).
    public var isPrivate: Bool
    /// The `session_config` spec exactly as received.
    public var sessionConfig: JSONValue
}
