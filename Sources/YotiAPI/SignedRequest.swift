/// One signed IDV request, ready to send: send exactly `body` to `base + pathAndQuery` with `headers`.
package struct SignedRequest: Sendable {
    /// HTTP method, upper case.
    package var method: String
    /// Path relative to the API base plus `?` and the query, exactly as signed. Append it to the base
    /// URL string as is: re-encoding it through a URL type could break the signature.
    package var pathAndQuery: String
    /// The body bytes that were signed, or `nil` for none.
    package var body: [UInt8]?
    /// The `X-Yoti-Auth-Digest` value.
    package var digest: String
    /// The nonce in the query (lower-case UUID v4).
    package var nonce: String
    /// The timestamp in the query, milliseconds since the Unix epoch.
    package var timestampMilliseconds: Int64
    /// Headers to send, in order: digest, SDK name and version, Accept, and Content-Type when there is a body.
    package var headers: [(name: String, value: String)]

}
