import Crypto
import Foundation
import NIOHTTP1
import YotiAPI
import _CryptoExtras

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

extension SandboxCore {
    /// Verifies `X-Yoti-Auth-Digest` over the path and query as received, then the timestamp and the nonce.
    ///
    /// The nonce is recorded only for a request that verifies, so forged requests cannot burn nonces.
    func verifySignature(_ ticket: RequestTicket, headers: HTTPHeaders, body: [UInt8])
        -> Result<SandboxApplication, SignatureRejection>
    {
        guard let digest = headers.first(name: RequestSignature.digestHeader), !digest.isEmpty else {
            return .failure(.missingDigest)
        }
        let candidates: [SandboxApplication]
        if let sdkID = ticket.query["sdkId"] {
            guard let application = applications[sdkID] else { return .failure(.unknownApplication) }
            candidates = [application]
        } else if ticket.route.requiresSDKID {
            return .failure(.unknownApplication)
        } else {
            candidates = Array(applications.values)
        }
        guard let signatureBytes = Data(base64Encoded: digest) else { return .failure(.malformedDigest) }
        let message = RequestSignature.message(
            method: ticket.method.rawValue, pathAndQuery: ticket.signedPathAndQuery, body: body)
        let hash = SHA256.hash(data: Data(message.utf8))
        let signature = _RSA.Signing.RSASignature(rawRepresentation: signatureBytes)
        guard
            let application = candidates.first(where: {
                $0.publicKey.isValidSignature(signature, for: hash, padding: .insecurePKCS1v1_5)
            })
        else { return .failure(.badDigest) }

        guard let timestampText = ticket.query["timestamp"], let timestamp = Int64(timestampText) else {
            return .failure(.badTimestamp)
        }
        if let skew = options.maxTimestampSkew {
            let nowMillis = Date().timeIntervalSince1970 * 1000
            if abs(nowMillis - Double(timestamp)) > skew.inSeconds * 1000 { return .failure(.staleTimestamp) }
        }
        guard let nonce = ticket.query["nonce"], !nonce.isEmpty else { return .failure(.missingNonce) }
        let fresh = state.withLock { $0.nonces.use(nonce, now: .now) }
        return fresh ? .success(application) : .failure(.replayedNonce)
    }
}
