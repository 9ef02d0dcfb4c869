/// Which call an outcome belongs to, for messages: the HTTP method and path template, and which
/// credentials the caller should check when Yoti refuses them.
package struct YotiOperation: Sendable, Hashable, CustomStringConvertible {
    /// `POST /sessions`, `GET /sessions/{id}`, ...
    package var name: String
    /// What to check after a 401/403, naming the settings (never their values).
    package var credentialsHint: String

    /// Creates an operation label.
    package init(name: String, credentialsHint: String) {
        self.name = name
        self.credentialsHint = credentialsHint
    }

    /// A call to the IDV API, signed with the application's key.
    package static func idv(_ name: String) -> YotiOperation {
        YotiOperation(
            name: name,
            credentialsHint:
                "check YOTI_CLIENT_SDK_ID and that YOTI_KEY_FILE_PATH holds the private key of that same Yoti Hub application (and that the base URL matches the keys: sandbox keys only work against the sandbox)"
        )
    }

    /// A call to the Yoti Sign API, authorised with a bearer API key.
    package static func sign(_ name: String) -> YotiOperation {
        YotiOperation(
            name: name,
            credentialsHint: "check YOTI_SIGN_API_KEY (a Yoti Sign API key for this environment) and YOTI_SIGN_API_URL")
    }

    package var description: String { name }
}
