import Foundation
import _CryptoExtras

/// One Yoti Hub application the sandbox accepts: an SDK ID and the RSA public key its requests are signed with.
public struct SandboxApplication: Sendable {
    /// The `sdkId` query parameter this application's requests carry.
    public var sdkID: String
    /// The key that verifies `X-Yoti-Auth-Digest`.
    public var publicKey: _RSA.Signing.PublicKey

    /// Creates an application from an already parsed public key.
    public init(sdkID: String, publicKey: _RSA.Signing.PublicKey) {
        self.sdkID = sdkID
        self.publicKey = publicKey
    }

    /// Creates an application from a PEM that holds either its public key (`PUBLIC KEY` or `RSA PUBLIC KEY`)
    /// or its private key (`RSA PRIVATE KEY` or `PRIVATE KEY`), from which the public key is derived.
    ///
    /// - Parameter source: names the PEM's origin in error messages (a file path, say); defaults to "the PEM".
    /// - Throws: `SandboxError.Code.invalidKey` when the PEM is neither, is encrypted, or the key is under 2048 bits.
    public init(sdkID: String, pem: String, source: String = "the PEM") throws {
        self.sdkID = sdkID
        self.publicKey = try Self.publicKey(fromPEM: pem, source: source)
    }

    /// Reads a PEM file as `init(sdkID:pem:source:)` does.
    ///
    /// - Throws: `SandboxError.Code.invalidKey` naming the file when it is missing, unreadable or not an RSA key.
    public init(sdkID: String, keyFile path: String) throws {
        let pem: String
        do {
            pem = try String(contentsOfFile: path, encoding: .utf8)
        } catch {
            throw SandboxError(
                code: .invalidKey,
                message: "cannot read key file \(path); check the path and that it is a readable PEM file")
        }
        try self.init(sdkID: sdkID, pem: pem, source: path)
    }

    /// An application whose private key nobody holds: every request claiming `sdkID` fails verification.
    ///
    /// Tests use it to see how a client reacts to the wrong key without shipping a second key file.
    public static func unmatchable(sdkID: String) throws -> SandboxApplication {
        SandboxApplication(sdkID: sdkID, publicKey: try _RSA.Signing.PrivateKey(keySize: .bits2048).publicKey)
    }

    static func publicKey(fromPEM pem: String, source: String) throws -> _RSA.Signing.PublicKey {
        if pem.contains("ENCRYPTED") {
            throw SandboxError(
                code: .invalidKey,
                message: "\(source) holds an encrypted key; give the public key or an unencrypted private key")
        }
        if pem.contains("PRIVATE KEY-----") {
            // The private key is only parsed to derive the public key and then dropped.
            if let key = try? _RSA.Signing.PrivateKey(pemRepresentation: pem) { return key.publicKey }
        } else if let key = try? _RSA.Signing.PublicKey(pemRepresentation: pem) {
            return key
        }
        throw SandboxError(
            code: .invalidKey,
            message: "\(source) is not an RSA key of at least 2048 bits in PEM form (PUBLIC KEY, RSA PUBLIC KEY, "
                + "RSA PRIVATE KEY or PRIVATE KEY); export the application's key from Yoti Hub again")
    }
}
