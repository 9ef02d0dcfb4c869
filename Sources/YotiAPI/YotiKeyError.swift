/// Why a Yoti application private key could not be loaded.
///
/// The message names the file and says what to do; it never contains key material.
package struct YotiKeyError: Error, Sendable, Hashable, CustomStringConvertible {
    /// The kind of failure. Extensible: new codes may be added without breaking callers.
    package struct Code: Sendable, Hashable, CustomStringConvertible {
        private enum Kind: String, Sendable, Hashable {
            case missing, unreadable, exposed, encrypted, malformed, notRSA
        }
        private let kind: Kind
        private init(_ kind: Kind) { self.kind = kind }

        /// No file at the path.
        package static let missing = Code(.missing)
        /// The file exists but cannot be read (permissions, a directory, not text).
        package static let unreadable = Code(.unreadable)
        /// The file's group or others may read it (run `chmod 600`).
        package static let exposed = Code(.exposed)
        /// The key is protected by a passphrase; Yoti keys are used unencrypted.
        package static let encrypted = Code(.encrypted)
        /// The file is not a PEM private key that can be parsed (or the key is too small).
        package static let malformed = Code(.malformed)
        /// The file holds a private key of another algorithm (EC, Ed25519, ...).
        package static let notRSA = Code(.notRSA)

        package var description: String { kind.rawValue }
    }

    /// What went wrong.
    package var code: Code
    /// The file the key was read from, or a label such as `<in-memory PEM>`.
    package var source: String
    /// A human-readable explanation and next step. Never contains key material.
    package var message: String

    /// Creates an error; `message` must not contain key material.
    package init(code: Code, source: String, message: String) {
        self.code = code
        self.source = source
        self.message = message
    }

    package var description: String { "YotiKeyError(\(code)): \(message)" }
}
