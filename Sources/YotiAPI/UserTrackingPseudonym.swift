import Crypto
import Foundation
import SystemSupport

/// The `user_tracking_id` sent to Yoti in place of a row's `external_ref`: a keyed pseudonym,
/// `"idvp1-"` followed by the first 128 bits of HMAC-SHA256(key, external_ref) in lowercase hex.
///
/// Yoti's API reference says `user_tracking_id` should hold no personally identifiable information,
/// while firms often use an email address or a national id as their reference. The same key and
/// reference always give the same id, so Yoti still links one person's sessions; without the key
/// nobody can tell the reference from the id. The ledger (`idv.attempts.user_tracking_id`) records the id
/// sent, so a session still maps back to its row.
package struct UserTrackingPseudonym: Sendable {
    /// What every pseudonym starts with (the `1` names this scheme, should it ever change).
    package static let prefix = "idvp1-"
    /// The shortest key accepted, in bytes.
    package static let minimumKeyBytes = 32

    private let key: SymmetricKey

    /// - Throws: ``UserTrackingPseudonymError`` when the key is shorter than ``minimumKeyBytes``.
    package init(key: some Collection<UInt8>) throws(UserTrackingPseudonymError) {
        guard key.count >= Self.minimumKeyBytes else {
            throw UserTrackingPseudonymError(message: "the tracking-id key is \(key.count) bytes; \(Self.advice)")
        }
        self.key = SymmetricKey(data: Array(key))
    }

    /// Reads the key from a file: its bytes, without trailing white space (so `openssl rand -hex 32 > FILE`
    /// works as written). The file must be readable by its owner only, like the private key.
    /// - Throws: ``UserTrackingPseudonymError`` naming the path (never the key) and what to do.
    package init(contentsOfFile path: String) throws(UserTrackingPseudonymError) {
        guard FileManager.default.fileExists(atPath: path) else {
            throw UserTrackingPseudonymError(message: "no tracking-id key file at \(path); \(Self.advice)")
        }
        if let mode = SecretFileMode.tooOpenMode(atPath: path) {
            throw UserTrackingPseudonymError(
                message: "the tracking-id key file \(path) may be read by others (mode \(SecretFileMode.octal(mode))): "
                    + "run `chmod 600 \(path)` (owner only; in a Kubernetes secret volume set defaultMode: 0400)")
        }
        guard let data = FileManager.default.contents(atPath: path) else {
            throw UserTrackingPseudonymError(
                message: "cannot read the tracking-id key file \(path): check that this user may read it")
        }
        var bytes = Array(data)
        while let last = bytes.last, last == 0x0A || last == 0x0D || last == 0x20 || last == 0x09 { bytes.removeLast() }
        do {
            try self.init(key: bytes)
        } catch {
            throw UserTrackingPseudonymError(message: "in \(path): \(error.message)")
        }
    }

    /// The pseudonym of `externalRef`.
    package func trackingID(for externalRef: String) -> String {
        let mac = HMAC<SHA256>.authenticationCode(for: Array(externalRef.utf8), using: key)
        let digits: [UInt8] = Array("0123456789abcdef".utf8)
        var text = Array(Self.prefix.utf8)
        text.reserveCapacity(text.count + 32)
        for byte in mac.prefix(16) {
            text.append(digits[Int(byte >> 4)])
            text.append(digits[Int(byte & 0x0F)])
        }
        return String(decoding: text, as: UTF8.self)
    }

    private static let advice =
        "make one of at least \(minimumKeyBytes) bytes with `openssl rand -hex 32 > FILE && chmod 600 FILE`, keep it "
        + "with the other secrets, and keep it for good (a new key gives every person a new id at Yoti)"
}

/// A tracking-id key that cannot be used; the message names the file, never the key.
package struct UserTrackingPseudonymError: Error, CustomStringConvertible, Sendable {
    package var message: String
    package var description: String { message }
}

/// Recognises values that look like an email address or a phone number: what `enqueue` and
/// `run --dry-run` warn about before such a value is sent to Yoti as `user_tracking_id`.
package enum PersonalIdentifierShape: String, Sendable, Hashable, CaseIterable {
    case emailAddress = "an email address"
    case phoneNumber = "a phone number"

    /// The shape `value` has, if it looks personal.
    ///
    /// An email address: one `@` with text before it and a dotted domain after it, no spaces. A phone number:
    /// only digits, spaces, `-`, `.`, `(` and `)` after an optional `+`, with 7–15 digits, that starts with `+`,
    /// starts with `0` and has 10 or 11 digits, or uses spaces, brackets or dashes between at least 9 digits.
    /// A bare run of digits without a leading `0` or `+` (a customer number) is not flagged.
    package static func of(_ value: String) -> PersonalIdentifierShape? {
        // Runs for every enqueued row: most references have no `@` and do not start like a phone number, and
        // leave here without allocating.
        let hasAt = value.utf8.contains(UInt8(ascii: "@"))
        guard hasAt || value.first.map({ $0 == "+" || $0 == "(" || $0 == " " || $0.isNumber }) == true else {
            return nil
        }
        let text = value.trimmingCharacters(in: .whitespaces)
        if hasAt { return looksLikeEmail(text) ? .emailAddress : nil }
        return looksLikePhone(text) ? .phoneNumber : nil
    }

    private static func looksLikeEmail(_ text: String) -> Bool {
        let parts = text.split(separator: "@", omittingEmptySubsequences: false)
        guard parts.count == 2, !parts[0].isEmpty, !text.contains(where: \.isWhitespace) else { return false }
        let labels = parts[1].split(separator: ".", omittingEmptySubsequences: false)
        return labels.count >= 2 && labels.allSatisfy { !$0.isEmpty }
    }

    private static func looksLikePhone(_ text: String) -> Bool {
        var body = Substring(text)
        let plus = body.first == "+"
        if plus { body = body.dropFirst() }
        var digits = 0
        var separators = false
        for character in body {
            if character.isASCII, character.isNumber {
                digits += 1
            } else if " -.()".contains(character) {
                separators = true
            } else {
                return false
            }
        }
        guard (7...15).contains(digits), body.first.map({ $0.isNumber || $0 == "(" }) == true else { return false }
        if plus { return true }
        if body.first == "0", (10...11).contains(digits) { return true }
        return separators && digits >= 9
    }
}
