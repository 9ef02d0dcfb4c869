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
    /// Latency: the answer is written no sooner than this after the head arrived.
    let delay: Duration
    /// When the request head arrived.
    var arrival: ContinuousClock.Instant = .now

    /// When the answer is due: the latency counts from arrival, so the sandbox's own work (the signature
    /// check) is part of it, as a real server's processing is part of the latency its clients see.
    var answerDue: ContinuousClock.Instant { arrival + delay }
}
