import Crypto
import Foundation
import SystemSupport
import _CryptoExtras

/// The RSA private key of a Yoti Hub application, used to sign IDV requests.
///
/// Loads PKCS#1 (`BEGIN RSA PRIVATE KEY`, what Yoti Hub issues) and PKCS#8 (`BEGIN PRIVATE KEY`) PEM.
/// Encrypted, malformed and non-RSA keys are refused with a ``YotiKeyError`` that names the file.
/// `description` never shows key material.
///
/// swift-crypto parses and validates the PEM (and keeps the public half); the private key itself is
/// handed to the system libcrypto, which signs (``LibcryptoRSAPrivateKey``). Copies share one key.
package struct YotiPrivateKey: Sendable {
    private let signingKey: LibcryptoRSAPrivateKey
    private let publicKey: _RSA.Signing.PublicKey
    /// Where the key came from (a file path or a label), for messages.
    package let source: String

    /// Loads the key from a PEM file.
    /// - Parameter requireOwnerOnly: refuse a file its group or others may read (``SecretFileMode``: 0600 or
    ///   0400; a root-owned file may also be group-readable, as a Kubernetes secret volume with `fsGroup`).
    ///   The commands pass `true`; `false` (the default) is for test fixtures and the sandbox.
    /// - Throws: ``YotiKeyError`` (`missing`, `unreadable`, `exposed`, `encrypted`, `malformed`, `notRSA`).
    package init(contentsOfFile path: String, requireOwnerOnly: Bool = false) throws {
        if requireOwnerOnly, let mode = SecretFileMode.tooOpenMode(atPath: path) {
            throw YotiKeyError(
                code: .exposed, source: path,
                message: "the key file \(path) may be read by others (mode \(SecretFileMode.octal(mode))): run "
                    + "`chmod 600 \(path)` (owner only; in a Kubernetes secret volume set defaultMode: 0400)")
        }
        try self.init(pemRepresentation: try Self.readPEM(atPath: path), source: path)
    }

    /// Reads a PEM file as text, with errors that name the file and say what to do. The bytes read are
    /// zeroed once the text is made (the text itself is the parser's input and cannot be).
    static func readPEM(atPath path: String) throws -> String {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else {
            throw YotiKeyError(
                code: .missing, source: path,
                message:
                    "no key file at \(path): set YOTI_KEY_FILE_PATH (or --key-file) to the PEM key file of the Yoti Hub application"
            )
        }
        guard !isDirectory.boolValue else {
            throw YotiKeyError(
                code: .unreadable, source: path,
                message: "\(path) is a directory, not a key file: point YOTI_KEY_FILE_PATH at the .pem file inside it")
        }
        var data: Data
        do {
            data = try Data(contentsOf: URL(fileURLWithPath: path))
        } catch {
            throw YotiKeyError(
                code: .unreadable, source: path,
                message: "cannot read the key file \(path) (check that it exists and this user may read it)")
        }
        defer { data.resetBytes(in: 0..<data.count) }
        guard let text = String(data: data, encoding: .utf8) else {
            throw YotiKeyError(
                code: .malformed, source: path,
                message:
                    "\(path) is not a text PEM file: export the key as PEM (BEGIN RSA PRIVATE KEY or BEGIN PRIVATE KEY)"
            )
        }
        return text
    }

    /// A new RSA-2048 private key as PKCS#1 PEM, for a throwaway application (the demo, the benchmark, a
    /// sandbox). The caller owns the secret: keep it in memory or in a 0600 file it deletes.
    package static func generatePEM() throws -> String {
        try _RSA.Signing.PrivateKey(keySize: .bits2048).pemRepresentation
    }

    /// Parses a PEM private key held in memory.
    /// - Parameters:
    ///   - pem: the PEM text.
    ///   - source: a label for messages (a path, or the default `<in-memory PEM>`).
    /// - Throws: ``YotiKeyError``.
    package init(pemRepresentation pem: String, source: String = "<in-memory PEM>") throws {
        self.source = source
        let label = Self.firstPEMLabel(in: pem)
        switch label {
        case "ENCRYPTED PRIVATE KEY":
            throw YotiKeyError(
                code: .encrypted, source: source,
                message:
                    "the key in \(source) is encrypted with a passphrase: decrypt it once with `openssl pkcs8 -in KEY -out KEY.pem` (or `openssl rsa`) and point to the decrypted file"
            )
        case "RSA PRIVATE KEY" where pem.contains("Proc-Type: 4,ENCRYPTED"):
            throw YotiKeyError(
                code: .encrypted, source: source,
                message:
                    "the key in \(source) is encrypted with a passphrase: decrypt it once with `openssl rsa -in KEY -out KEY.pem` and point to the decrypted file"
            )
        case "EC PRIVATE KEY", "DSA PRIVATE KEY", "OPENSSH PRIVATE KEY":
            throw YotiKeyError(
                code: .notRSA, source: source,
                message:
                    "\(source) holds a \(label ?? "non-RSA") key; Yoti signs with RSA: use the RSA key pair of your Yoti Hub application"
            )
        case "PRIVATE KEY":
            if !Self.pkcs8IsRSA(pem) {
                throw YotiKeyError(
                    code: .notRSA, source: source,
                    message:
                        "\(source) holds a PKCS#8 private key that is not RSA; Yoti signs with RSA: use the RSA key pair of your Yoti Hub application"
                )
            }
        case "RSA PRIVATE KEY":
            break
        case "PUBLIC KEY", "RSA PUBLIC KEY", "CERTIFICATE":
            throw YotiKeyError(
                code: .malformed, source: source,
                message:
                    "\(source) holds a \((label ?? "").lowercased()), not a private key: point to the application's private key (BEGIN RSA PRIVATE KEY)"
            )
        default:
            throw YotiKeyError(
                code: .malformed, source: source,
                message:
                    "\(source) is not a PEM private key (expected a BEGIN RSA PRIVATE KEY or BEGIN PRIVATE KEY block)")
        }
        let parsed: _RSA.Signing.PrivateKey
        do {
            parsed = try _RSA.Signing.PrivateKey(pemRepresentation: pem)
        } catch CryptoKitError.incorrectParameterSize {
            throw YotiKeyError(
                code: .malformed, source: source,
                message:
                    "the RSA key in \(source) is shorter than 2048 bits; Yoti Hub keys are 2048 bits: use the key downloaded from Yoti Hub"
            )
        } catch {
            throw YotiKeyError(
                code: .malformed, source: source,
                message:
                    "the PEM block in \(source) could not be parsed as an RSA private key (damaged or truncated file?): download the key again from Yoti Hub"
            )
        }
        var der = parsed.derRepresentation
        defer { der.resetBytes(in: 0..<der.count) }  // don't leave a loose copy of the private key behind
        guard let signingKey = LibcryptoRSAPrivateKey(pkcs1DER: der, expectedBits: parsed.keySizeInBits) else {
            throw YotiKeyError(
                code: .malformed, source: source,
                message:
                    "the PEM block in \(source) could not be parsed as an RSA private key (damaged or truncated file?): download the key again from Yoti Hub"
            )
        }
        self.signingKey = signingKey
        self.publicKey = parsed.publicKey
    }

    /// The matching public key as PEM (`BEGIN PUBLIC KEY`, SubjectPublicKeyInfo): what a verifier needs.
    package var publicKeyPEM: String { publicKey.pemRepresentation }

    /// The public half, for ``YotiPublicKey/init(privateKey:)``.
    var rsaPublicKey: _RSA.Signing.PublicKey { publicKey }

    /// Key size in bits.
    package var keySizeInBits: Int { publicKey.keySizeInBits }

    /// RSASSA-PKCS1-v1_5 with SHA-256 over `message`'s UTF-8 bytes, standard base64: the
    /// `X-Yoti-Auth-Digest` value. Safe to call from many tasks at once.
    /// - Throws: ``RequestSigningError`` only if the system libcrypto fails internally.
    package func digest(of message: String) throws -> String {
        var message = message
        let signature = try message.withUTF8 { try signingKey.signature(for: UnsafeRawBufferPointer($0)) }
        return Data(signature).base64EncodedString()
    }

    /// The label of the first `-----BEGIN X-----` line, if any.
    static func firstPEMLabel(in pem: String) -> String? {
        guard let begin = pem.range(of: "-----BEGIN ") else { return nil }
        guard let end = pem.range(of: "-----", range: begin.upperBound..<pem.endIndex) else { return nil }
        return String(pem[begin.upperBound..<end.lowerBound])
    }

    /// Whether a PKCS#8 `PRIVATE KEY` block's AlgorithmIdentifier is rsaEncryption (1.2.840.113549.1.1.1).
    ///
    /// The OID sits in the first few dozen bytes of the DER (version, then the AlgorithmIdentifier),
    /// so looking for its encoding there is enough to tell RSA from EC or Ed25519.
    static func pkcs8IsRSA(_ pem: String) -> Bool {
        let body = pem.split(separator: "\n")
            .map { $0.trimmingCharacters(in: .whitespacesAndNewlines) }
            .filter { !$0.hasPrefix("-----") && !$0.isEmpty }
            .joined()
        guard let der = Data(base64Encoded: body) else { return true }  // let the parser report it
        let rsaEncryptionOID: [UInt8] = [0x06, 0x09, 0x2A, 0x86, 0x48, 0x86, 0xF7, 0x0D, 0x01, 0x01, 0x01]
        let head = Array(der.prefix(32))
        guard head.count >= rsaEncryptionOID.count else { return true }
        for start in 0...(head.count - rsaEncryptionOID.count)
        where Array(head[start..<start + rsaEncryptionOID.count]) == rsaEncryptionOID {
            return true
        }
        return false
    }
}

extension YotiPrivateKey: CustomStringConvertible, CustomDebugStringConvertible {
    /// Says which key it is without revealing it.
    package var description: String { "YotiPrivateKey(RSA \(keySizeInBits) bits, from \(source))" }
    package var debugDescription: String { description }
}
