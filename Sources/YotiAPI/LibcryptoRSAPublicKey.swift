import COpenSSL
import Foundation

/// An RSA public key held by the system libcrypto (OpenSSL 3), verifying RSASSA-PKCS1-v1_5 SHA-256.
///
/// The sandbox verifies every request it receives; doing that in the same library the runner signs
/// with keeps the sandbox cheaper per request than the runner it is measuring.
///
/// `@unchecked Sendable`, justified as for ``LibcryptoRSAPrivateKey``: the pointers are written once in
/// `init`, freed in `deinit`, and each verification works in its own `EVP_MD_CTX`; OpenSSL 3 allows an
/// unmodified `EVP_PKEY` and `EVP_MD` to be used from several threads at once (openssl-threads(7)).
final class LibcryptoRSAPublicKey: @unchecked Sendable {
    private let key: OpaquePointer  // EVP_PKEY *, owned
    private let sha256: OpaquePointer  // EVP_MD *, fetched once, owned

    /// Parses a SubjectPublicKeyInfo DER, or returns `nil` (with the error queue emptied) when
    /// libcrypto cannot read it as an RSA public key.
    init?(subjectPublicKeyInfoDER der: Data) {
        let parsed: OpaquePointer? = der.withUnsafeBytes { raw -> OpaquePointer? in
            // d2i_* advances the cursor past what it read.
            var cursor: UnsafePointer<UInt8>? = raw.bindMemory(to: UInt8.self).baseAddress.map(UnsafePointer.init)
            guard cursor != nil else { return nil }
            return d2i_PUBKEY(nil, &cursor, raw.count)
        }
        guard let parsed else {
            LibcryptoErrorQueue.clear()
            return nil
        }
        guard EVP_PKEY_get_base_id(parsed) == EVP_PKEY_RSA, let sha256 = EVP_MD_fetch(nil, "SHA256", nil) else {
            EVP_PKEY_free(parsed)
            LibcryptoErrorQueue.clear()
            return nil
        }
        self.key = parsed
        self.sha256 = sha256
    }

    deinit {
        EVP_MD_free(sha256)
        EVP_PKEY_free(key)
    }

    /// Whether `signature` is a valid RSASSA-PKCS1-v1_5 SHA-256 signature of `message`. Any libcrypto
    /// failure counts as "not valid"; the error queue is left empty.
    func isValidSignature(_ signature: Data, for message: UnsafeRawBufferPointer) -> Bool {
        guard let context = EVP_MD_CTX_new() else {
            LibcryptoErrorQueue.clear()
            return false
        }
        defer { EVP_MD_CTX_free(context) }
        var keyContext: OpaquePointer?  // EVP_PKEY_CTX *, owned by `context`
        guard EVP_DigestVerifyInit(context, &keyContext, sha256, nil, key) == 1,
            EVP_PKEY_CTX_set_rsa_padding(keyContext, RSA_PKCS1_PADDING) == 1
        else {
            LibcryptoErrorQueue.clear()
            return false
        }
        let status = signature.withUnsafeBytes { signature in
            EVP_DigestVerify(
                context, signature.baseAddress?.assumingMemoryBound(to: UInt8.self), signature.count,
                message.baseAddress?.assumingMemoryBound(to: UInt8.self), message.count)
        }
        if status != 1 { LibcryptoErrorQueue.clear() }
        return status == 1
    }
}
