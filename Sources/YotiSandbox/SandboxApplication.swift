import YotiAPI
import _CryptoExtras

/// One Yoti Hub application the sandbox accepts: an SDK ID and the RSA public key its requests are signed with.
package struct SandboxApplication: Sendable {
    /// The `sdkId` query parameter this application's requests carry.
    package var sdkID: String
    /// The key that verifies `X-Yoti-Auth-Digest`.
    package var publicKey: YotiPublicKey

    /// Creates an application from an already loaded public key.
    package init(sdkID: String, publicKey: YotiPublicKey) {
        self.sdkID = sdkID
        self.publicKey = publicKey
    }

    /// Creates an application from a PEM that holds either its public key (`PUBLIC KEY` or `RSA PUBLIC KEY`)
    /// or its private key (`RSA PRIVATE KEY` or `PRIVATE KEY`), from which the public key is derived.
    ///
    /// - Parameter source: names the PEM's origin in error messages (a file path, say).
    /// - Throws: `SandboxError.Code.invalidKey` when the PEM is neither, is encrypted, or is not RSA; the message
    ///   names `source` and never contains key material.
    package init(sdkID: String, pem: String, source: String = "<in-memory PEM>") throws {
        self.sdkID = sdkID
        self.publicKey = try Self.loading(source) {
            // A private key is only parsed to derive its public half; the sandbox keeps nothing else.
            pem.contains("PRIVATE KEY-----")
                ? YotiPublicKey(privateKey: try YotiPrivateKey(pemRepresentation: pem, source: source))
                : try YotiPublicKey(pemRepresentation: pem, source: source)
        }
    }

    /// Reads a PEM file as `init(sdkID:pem:source:)` does.
    ///
    /// - Throws: `SandboxError.Code.invalidKey` naming the file when it is missing, unreadable or not an RSA key.
    package init(sdkID: String, keyFile path: String) throws {
        self.sdkID = sdkID
        // Try the public form first; a private key file is the documented convenience.
        self.publicKey = try Self.loading(path) {
            do {
                return try YotiPublicKey(contentsOfFile: path)
            } catch let error as YotiKeyError where error.code == .malformed {
                return YotiPublicKey(privateKey: try YotiPrivateKey(contentsOfFile: path))
            }
        }
    }

    /// An application whose private key nobody holds: every request claiming `sdkID` fails verification.
    ///
    /// Tests use it to see how a client reacts to the wrong key without shipping a second key file.
    package static func unmatchable(sdkID: String) throws -> SandboxApplication {
        let throwaway = try _RSA.Signing.PrivateKey(keySize: .bits2048).publicKey.pemRepresentation
        return try SandboxApplication(sdkID: sdkID, pem: throwaway, source: "a throwaway key")
    }

    /// Runs a key load, turning `YotiKeyError` into the sandbox's error with the same (secret-free) message.
    private static func loading(_ source: String, _ load: () throws -> YotiPublicKey) throws -> YotiPublicKey {
        do {
            return try load()
        } catch let error as YotiKeyError {
            throw SandboxError(code: .invalidKey, message: error.message)
        } catch {
            throw SandboxError(
                code: .invalidKey, message: "\(source) could not be loaded as an RSA key; export it from Yoti Hub again"
            )
        }
    }
}
