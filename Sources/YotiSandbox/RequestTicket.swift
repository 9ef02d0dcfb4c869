import NIOHTTP1

/// What the sandbox decided when a request head arrived.
struct RequestTicket: Sendable {
    let method: HTTPMethod
    let route: SandboxRoute
    /// Path after the IDV base plus `?` and the query exactly as received: what the client signed.
    let signedPathAndQuery: String
    /// Query parameters, percent-decoded; the first of a repeated name wins.
    let query: [String: String]
    /// The fault drawn for this request, applied once its signature is checked (reset-before at once).
    let fault: InjectedFault?
    /// Latency to add before answering.
    let delay: Duration
}
