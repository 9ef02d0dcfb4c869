/// Why a signed request was refused; the message goes into the 401 body and never echoes the digest.
struct SignatureRejection: Error, Sendable {
    let reason: String
    let message: String

    static let missingDigest = SignatureRejection(
        reason: "missing_digest", message: "the X-Yoti-Auth-Digest header is missing; sign every request")
    static let unknownApplication = SignatureRejection(
        reason: "unknown_sdk_id",
        message: "the sdkId query parameter is missing or names no application known to this server")
    static let malformedDigest = SignatureRejection(
        reason: "malformed_digest", message: "the X-Yoti-Auth-Digest header is not base64")
    static let badDigest = SignatureRejection(
        reason: "bad_digest",
        message: "the request signature does not verify; check the key matches the SDK ID and that the exact "
            + "method, path, query and body bytes sent were signed")
    static let missingNonce = SignatureRejection(
        reason: "missing_nonce", message: "the nonce query parameter is missing")
    static let replayedNonce = SignatureRejection(
        reason: "replayed_nonce", message: "this nonce was already used; send a fresh nonce on every request")
    static let badTimestamp = SignatureRejection(
        reason: "bad_timestamp", message: "the timestamp query parameter is missing or not milliseconds since 1970")
    static let staleTimestamp = SignatureRejection(
        reason: "stale_timestamp",
        message: "the timestamp is too far from the server's clock; use a fresh timestamp and check the clock")
}
