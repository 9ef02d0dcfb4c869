import Foundation

/// Signs IDV requests as docs/yoti-api.md section 2 describes.
///
/// Every call to ``sign(method:path:body:)`` draws a fresh nonce and timestamp, so a retry is a new
/// signature. The nonce and clock are injectable for known-answer tests.
package struct RequestSigner: Sendable {
    /// The Yoti Hub application's SDK id (`sdkId` in the query).
    package let sdkID: String
    /// Sent as `X-Yoti-SDK`.
    package let sdkName: String
    /// Sent as `X-Yoti-SDK-Version` after `sdkName-`.
    package let sdkVersion: String
    private let key: YotiPrivateKey
    private let makeNonce: @Sendable () -> UUID
    private let now: @Sendable () -> Date

    /// Creates a signer.
    /// - Parameters:
    ///   - sdkID: the application's SDK id.
    ///   - key: the application's private key.
    ///   - sdkName: `X-Yoti-SDK` header value (default `idv-batch`).
    ///   - sdkVersion: version part of `X-Yoti-SDK-Version` (default `1.0.0`).
    ///   - nonce: source of nonces (default random UUID v4).
    ///   - clock: source of the current time (default `Date()`).
    package init(
        sdkID: String,
        key: YotiPrivateKey,
        sdkName: String = "idv-batch",
        sdkVersion: String = "1.0.0",
        nonce: @escaping @Sendable () -> UUID = { UUID() },
        clock: @escaping @Sendable () -> Date = { Date() }
    ) {
        self.sdkID = sdkID
        self.key = key
        self.sdkName = sdkName
        self.sdkVersion = sdkVersion
        self.makeNonce = nonce
        self.now = clock
    }

    /// Signs one request.
    /// - Parameters:
    ///   - method: HTTP method (`GET`, `POST`, ...), any case.
    ///   - path: path relative to the API base, starting with `/`, already percent-encoded.
    ///   - body: the exact body bytes that will be sent, or `nil`.
    ///   - includeSDKID: whether the query starts with `sdkId` (every IDV call except supported-documents).
    /// - Returns: the path+query to append to the base URL, the digest and the headers.
    /// - Throws: only if the RSA signature itself fails.
    package func sign(method: String, path: String, body: [UInt8]? = nil, includeSDKID: Bool = true) throws
        -> SignedRequest
    {
        let method = method.uppercased()
        let nonce = makeNonce().uuidString.lowercased()
        let timestamp = Int64((now().timeIntervalSince1970 * 1000).rounded(.down))
        let query =
            (includeSDKID ? "sdkId=\(Self.encodeQueryValue(sdkID))&" : "") + "nonce=\(nonce)&timestamp=\(timestamp)"
        let pathAndQuery = path + "?" + query
        let body = (body?.isEmpty ?? true) ? nil : body
        let digest = try key.digest(
            of: RequestSignature.message(method: method, pathAndQuery: pathAndQuery, body: body))
        var headers: [(name: String, value: String)] = [
            (RequestSignature.digestHeader, digest),
            ("X-Yoti-SDK", sdkName),
            ("X-Yoti-SDK-Version", "\(sdkName)-\(sdkVersion)"),
            ("Accept", "application/json"),
        ]
        if body != nil { headers.append(("Content-Type", "application/json")) }
        return SignedRequest(
            method: method, pathAndQuery: pathAndQuery, body: body, digest: digest,
            nonce: nonce, timestampMilliseconds: timestamp, headers: headers)
    }

    /// Percent-encodes a query value so it survives untouched on the wire (SDK ids are UUIDs,
    /// which pass through unchanged).
    static func encodeQueryValue(_ value: String) -> String {
        value.addingPercentEncoding(withAllowedCharacters: queryValueCharacters) ?? value
    }

    /// RFC 3986 unreserved characters; built once (building it costs about as much per request as
    /// the rest of the message).
    private static let queryValueCharacters = CharacterSet(
        charactersIn: "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~")
}
