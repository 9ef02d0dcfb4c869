import Foundation
import NIOHTTP1
import YotiAPI

/// A signed request's check: the application whose key verified it, or why it was rejected.
typealias SignatureCheck = Result<SandboxApplication, SignatureRejection>

extension SandboxCore {
    /// Verifies `X-Yoti-Auth-Digest` over the path and query as received, then the timestamp and the nonce.
    ///
    /// The nonce is recorded only for a request that verifies, so forged requests cannot burn nonces.
    func verifySignature(_ ticket: RequestTicket, headers: HTTPHeaders, body: [UInt8]) -> SignatureCheck {
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
        guard Data(base64Encoded: digest) != nil else { return .failure(.malformedDigest) }
        let message = RequestSignature.message(
            method: ticket.method.rawValue, pathAndQuery: ticket.signedPathAndQuery, body: body)
        guard let application = candidates.first(where: { $0.publicKey.isValidDigest(digest, for: message) }) else {
            return .failure(.badDigest)
        }

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
