import COpenSSL
import Foundation

/// An RSA private key held by the system libcrypto (OpenSSL 3), signing RSASSA-PKCS1-v1_5 with SHA-256.
///
/// Why libcrypto: on x86-64 it signs RSA-2048 in well under half the time swift-crypto's BoringSSL copy
/// takes (OpenSSL 3 multiplies with wide-integer instructions), and libpq already loads it into the process.
/// Verification stays in swift-crypto: there the two libraries cost the same (about 20 µs).
///
/// `@unchecked Sendable`, justified: both pointers are set once in `init`, never written afterwards and
/// freed only in `deinit`, when no other reference exists. Signing treats them as read-only inputs:
/// each call builds its own `EVP_MD_CTX` (and with it its own `EVP_PKEY_CTX` and provider context).
/// OpenSSL 3 documents that an `EVP_PKEY` or fetched `EVP_MD` that is not being modified may be used
/// from several threads at once (openssl-threads(7)); the lazily built Montgomery and blinding caches
/// inside the key are created under OpenSSL's own locks.
final class LibcryptoRSAPrivateKey: @unchecked Sendable {
    private let key: OpaquePointer  // EVP_PKEY *, owned
    private let sha256: OpaquePointer  // EVP_MD *, fetched once, owned

    /// Parses a PKCS#1 `RSAPrivateKey` DER, or returns `nil` (with the error queue emptied) when
    /// libcrypto cannot read it as an RSA key of `expectedBits` bits.
    ///
    /// The caller has already validated the key (swift-crypto's parser checks the CRT values agree);
    /// this only hands the same bytes to libcrypto.
    init?(pkcs1DER der: Data, expectedBits: Int) {
        let parsed: OpaquePointer? = der.withUnsafeBytes { raw -> OpaquePointer? in
            // d2i_* advances the cursor past what it read.
            var cursor: UnsafePointer<UInt8>? = raw.bindMemory(to: UInt8.self).baseAddress.map(UnsafePointer.init)
            guard cursor != nil else { return nil }
            return d2i_PrivateKey_ex(EVP_PKEY_RSA, nil, &cursor, raw.count, nil, nil)
        }
        guard let parsed else {
            LibcryptoErrorQueue.clear()
            return nil
        }
        guard EVP_PKEY_get_base_id(parsed) == EVP_PKEY_RSA, EVP_PKEY_get_bits(parsed) == expectedBits,
            let sha256 = EVP_MD_fetch(nil, "SHA256", nil)
        else {
            EVP_PKEY_free(parsed)
            LibcryptoErrorQueue.clear()
            return nil
        }
        self.key = parsed
        self.sha256 = sha256
    }

    deinit {
        EVP_MD_free(sha256)
        EVP_PKEY_free(key)  // clears the private values before releasing them
    }

    /// The raw RSASSA-PKCS1-v1_5 SHA-256 signature of `message` (as many bytes as the modulus).
    /// - Throws: ``RequestSigningError`` with code `libcrypto` if OpenSSL fails.
    func signature(for message: UnsafeRawBufferPointer) throws -> [UInt8] {
        guard let context = EVP_MD_CTX_new() else {
            throw Self.failure("could not allocate a digest context")
        }
        defer { EVP_MD_CTX_free(context) }
        var keyContext: OpaquePointer?  // EVP_PKEY_CTX *, owned by `context`
        guard EVP_DigestSignInit(context, &keyContext, sha256, nil, key) == 1,
            EVP_PKEY_CTX_set_rsa_padding(keyContext, RSA_PKCS1_PADDING) == 1
        else {
            throw Self.failure("could not start an RSA PKCS#1 v1.5 SHA-256 signature")
        }
        var length = Int(EVP_PKEY_get_size(key))
        var signature = [UInt8](repeating: 0, count: length)
        let status = signature.withUnsafeMutableBufferPointer { output in
            EVP_DigestSign(
                context, output.baseAddress, &length,
                message.baseAddress?.assumingMemoryBound(to: UInt8.self), message.count)
        }
        guard status == 1, length == signature.count else {
            throw Self.failure("the RSA signature failed")
        }
        return signature
    }

    private static func failure(_ what: String) -> RequestSigningError {
        RequestSigningError(
            code: .libcrypto,
            message:
                "\(what) in the system libcrypto (\(LibcryptoErrorQueue.drain())): check the OpenSSL 3 installation (libssl3)"
        )
    }
}
