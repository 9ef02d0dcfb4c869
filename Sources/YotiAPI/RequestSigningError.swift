/// Why a request could not be signed with a key that loaded.
///
/// Loading already checked the key, so this means the system libcrypto failed (out of memory, a
/// broken OpenSSL installation). The message never contains key material.
package struct RequestSigningError: Error, Sendable, Hashable, CustomStringConvertible {
    /// The kind of failure. Extensible: new codes may be added without breaking callers.
    package struct Code: Sendable, Hashable, CustomStringConvertible {
        private enum Kind: String, Sendable, Hashable {
            case libcrypto
        }
        private let kind: Kind
        private init(_ kind: Kind) { self.kind = kind }

        /// The system libcrypto (OpenSSL) refused or failed the operation.
        package static let libcrypto = Code(.libcrypto)

        package var description: String { kind.rawValue }
    }

    /// What went wrong.
    package var code: Code
    /// A human-readable explanation and next step. Never contains key material.
    package var message: String

    /// Creates an error; `message` must not contain key material.
    package init(code: Code, message: String) {
        self.code = code
        self.message = message
    }

    package var description: String { "RequestSigningError(\(code)): \(message)" }
}
