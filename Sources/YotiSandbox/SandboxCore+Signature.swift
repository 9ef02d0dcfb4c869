import Crypto
import Foundation
import NIOHTTP1
import YotiAPI
import _CryptoExtras

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
