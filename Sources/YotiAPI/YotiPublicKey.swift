import Crypto
import Foundation
import _CryptoExtras

/// The RSA public key of a Yoti Hub application: verifies `X-Yoti-Auth-Digest` values (the sandbox
/// uses it to check requests the way Yoti does).
package struct YotiPublicKey: Sendable {
    private let key: _RSA.Signing.PublicKey
    /// Where the key came from, for messages.
    package let source: String

    /// Loads a PEM public key: SubjectPublicKeyInfo (`BEGIN PUBLIC KEY`) or PKCS#1 (`BEGIN RSA PUBLIC KEY`).
    /// - Throws: ``YotiKeyError`` (`missing`, `unreadable`, `malformed`, `notRSA`).
    package init(contentsOfFile path: String) throws {
        try self.init(pemRepresentation: try YotiPrivateKey.readPEM(atPath: path), source: path)
    }

    /// Parses a PEM public key held in memory.
    /// - Throws: ``YotiKeyError``.
    package init(pemRepresentation pem: String, source: String = "<in-memory PEM>") throws {
        self.source = source
        switch YotiPrivateKey.firstPEMLabel(in: pem) {
        case "PUBLIC KEY", "RSA PUBLIC KEY":
            break
        case let label? where label.hasSuffix("PRIVATE KEY"):
            throw YotiKeyError(
                code: .malformed, source: source,
                message:
                    "\(source) holds a private key where a public key was expected: pass the public key, or derive it with YotiPublicKey(privateKey:)"
            )
        default:
            throw YotiKeyError(
                code: .malformed, source: source,
                message: "\(source) is not a PEM public key (expected a BEGIN PUBLIC KEY block)")
        }
        do {
            self.key = try _RSA.Signing.PublicKey(unsafePEMRepresentation: pem)
        } catch {
            throw YotiKeyError(
                code: .notRSA, source: source,
                message: "the public key in \(source) could not be read as an RSA key: Yoti application keys are RSA")
        }
    }

    /// The public half of a private key.
    package init(privateKey: YotiPrivateKey) {
        self.key = privateKey.rsaPublicKey
        self.source = "public key of \(privateKey.source)"
    }

    /// SubjectPublicKeyInfo PEM.
    package var pemRepresentation: String { key.pemRepresentation }

    /// Whether `digest` (standard base64) is a valid RSASSA-PKCS1-v1_5 SHA-256 signature of `message`.
    package func isValidDigest(_ digest: String, for message: String) -> Bool {
        guard let signature = Data(base64Encoded: digest) else { return false }
        return key.isValidSignature(
            _RSA.Signing.RSASignature(rawRepresentation: signature), for: SHA256.hash(data: Array(message.utf8)),
            padding: .insecurePKCS1v1_5)
    }
}
