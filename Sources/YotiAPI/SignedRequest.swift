/// One signed IDV request, ready to send: send exactly `body` to `base + pathAndQuery` with `headers`.
public struct SignedRequest: Sendable {
    /// HTTP method, upper case.
    public var method: String
    /// Path relative to the API base plus `?` and the query, exactly as signed. Append it to the base
    /// URL string as is: re-encoding it through a URL type could break the signature.
    public var pathAndQuery: String
    /// The body bytes that were signed, or `nil` for none.
    public var body: [UInt8]?
    /// The `X-Yoti-Auth-Digest` value.
    public var digest: String
    /// The nonce in the query (lower-case UUID v4).
    public var nonce: String
    /// The timestamp in the query, milliseconds since the Unix epoch.
    public var timestampMilliseconds: Int64
    /// Headers to send, in order: digest, SDK name and version, Accept, and Content-Type when there is a body.
    public var headers: [(name: String, value: String)]

}
