/// A failure configuring or starting the sandbox.
///
/// Messages name what is wrong and what to do next; they never contain key material or API keys.
package struct SandboxError: Error, Sendable, Hashable, CustomStringConvertible {
    /// What kind of failure this is; new codes may be added.
    package struct Code: Sendable, Hashable, CustomStringConvertible {
        private enum Value: Sendable, Hashable {
            case invalidKey
            case invalidConfiguration
            case notRunning
            case alreadyStarted
        }

        private let value: Value
        private init(_ value: Value) { self.value = value }

        /// A key file or PEM could not be read or is not an RSA key of at least 2048 bits.
        package static let invalidKey = Code(.invalidKey)
        /// A configuration or behaviour value is out of range.
        package static let invalidConfiguration = Code(.invalidConfiguration)
        /// The operation needs a started sandbox.
        package static let notRunning = Code(.notRunning)
        /// `start()` was called twice.
        package static let alreadyStarted = Code(.alreadyStarted)

        package var description: String {
            switch value {
            case .invalidKey: "invalidKey"
            case .invalidConfiguration: "invalidConfiguration"
            case .notRunning: "notRunning"
            case .alreadyStarted: "alreadyStarted"
            }
        }
    }

    /// The kind of failure.
    package var code: Code
    /// What is wrong and what to do about it.
    package var message: String

    /// Creates an error; `message` must not contain secrets.
    package init(code: Code, message: String) {
        self.code = code
        self.message = message
    }

    package var description: String { "SandboxError(\(code)): \(message)" }
}
