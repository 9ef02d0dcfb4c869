import Crypto

/// SHA-256 for modules that do not link Crypto themselves (letters' recorded digests).
package enum SHA256Hex {
    /// Lower-case hex SHA-256 of `bytes`.
    package static func hex(_ bytes: some Sequence<UInt8>) -> String {
        var hasher = SHA256()
        hasher.update(data: Array(bytes))
        return hasher.finalize().map { byte in
            let digits = String(byte, radix: 16)
            return byte < 16 ? "0" + digits : digits
        }.joined()
    }
}
