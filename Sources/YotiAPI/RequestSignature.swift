import Foundation

/// The message Yoti signs for every IDV request (docs/yoti-api.md section 2).
///
/// `METHOD&path?query`, followed by `&` and the standard base64 of the body bytes when there is a
/// body. The path is relative to the API base (`/sessions`, not `/idverify/v1/sessions`) and the
/// query is exactly the string that goes on the wire. Both the client's signer and the sandbox's
/// verifier build the message here, so they cannot drift apart.
package enum RequestSignature {
    /// The exact string to sign or verify.
    /// - Parameters:
    ///   - method: HTTP method, upper case (`POST`).
    ///   - pathAndQuery: path relative to the base plus `?` and the query, as sent or received.
    ///   - body: the body bytes exactly as sent, or `nil`/empty for none.
    package static func message(method: String, pathAndQuery: String, body: [UInt8]?) -> String {
        var message = method.uppercased() + "&" + pathAndQuery
        if let body, !body.isEmpty {
            message += "&" + Data(body).base64EncodedString()
        }
        return message
    }

    /// The HTTP header that carries the base64 digest.
    package static let digestHeader = "X-Yoti-Auth-Digest"
}
