import YotiAPI

/// A Yoti Sign custom session configuration as the sandbox stored it.
package struct SandboxSignConfiguration: Sendable, Hashable {
    /// The configuration's name, unique per sandbox.
    package var name: String
    /// The request's `is_private` (false when absent).
    package var isPrivate: Bool
    /// The `session_config` spec exactly as received.
    package var sessionConfig: JSONValue
}
