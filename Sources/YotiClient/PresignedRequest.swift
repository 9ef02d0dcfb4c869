import NIOHTTP1
import YotiAPI

/// A request signed ahead of its send, with when it was signed (``IDVClient/presignCreateSession(body:)``).
package struct PresignedRequest: Sendable, CustomStringConvertible {
    package let signed: SignedRequest
    let signedAt: ContinuousClock.Instant

    /// The method and path only: never the digest or the body.
    package var description: String {
        "PresignedRequest(\(signed.method) \(signed.pathAndQuery.prefix { $0 != "?" }))"
    }

    /// Whether this is the request about to be sent (method, path, SDK id, body) and still fresh enough.
    package func isUsable(
        method: HTTPMethod, path: String, body: [UInt8]?, includeSDKID: Bool,
        now: ContinuousClock.Instant = .now
    ) -> Bool {
        guard now - signedAt < IDVClient.presignedMaxAge, signed.method == method.rawValue else { return false }
        guard signed.pathAndQuery.hasPrefix(path + "?"),
            signed.pathAndQuery.dropFirst(path.count + 1).hasPrefix("sdkId=") == includeSDKID
        else { return false }
        let sentBody = (body?.isEmpty ?? true) ? nil : body
        return signed.body == sentBody
    }
}
