import HummingbirdCore
import HummingbirdTLS
import NIOCore

/// What bounds a server the project runs (the notifications receiver; any HTTP server added later) against
/// clients that connect and then send nothing, or send slowly: an idle timeout and a cap on connections.
///
/// Without them a few hundred half-sent requests hold as many sockets for as long as their senders like,
/// until the process runs out of file descriptors and a real notification times out.
package struct ServerLimits: Sendable {
    /// How long a connection may go without a complete request part arriving (a request line and headers,
    /// a piece of the body) while no response is being written, before it is closed. Default 30 s.
    package var idleTimeout: Duration = .seconds(30)
    /// Connections open at once, beyond which a new connection is answered `503 Service Unavailable` with
    /// `Retry-After` and closed, rather than left waiting. Default 256 (keep `LimitNOFILE` well above it).
    package var maxConnections = 256
    /// The `Retry-After` of the 503 sent to a connection over the cap, in seconds. Default 10.
    package var retryAfterSeconds = 10
    /// How long a connection over the cap may take to send its first bytes before it is closed unanswered.
    /// Default 1 s.
    package var refusalGrace: Duration = .seconds(1)

    /// The defaults.
    package init() {}

    /// An HTTP/1.1 server (over TLS when `tls` is given) with these limits; every connection it accepts is
    /// counted by `counter`, which reports connections refused over the cap through `onRefused`.
    package func http1(tls: TLSConfiguration? = nil, counter: ConnectionCounter = ConnectionCounter())
        -> HTTPServerBuilder
    {
        let limits = self
        let configuration = HTTP1Channel.Configuration(idleTimeout: .nanoseconds(idleTimeout.nanoseconds))
        return HTTPServerBuilder { responder in
            let capped = CappedChannel(
                base: HTTP1Channel(responder: responder, configuration: configuration), limits: limits,
                counter: counter)
            guard let tls else { return capped }
            // The cap's handler sits behind the TLS handler: even a refusal is sent encrypted.
            return try TLSChannel(capped, tlsConfiguration: tls)
        }
    }
}

extension Duration {
    /// The whole duration in nanoseconds (saturating).
    var nanoseconds: Int64 {
        let (seconds, attoseconds) = components
        let (scaled, overflow) = seconds.multipliedReportingOverflow(by: 1_000_000_000)
        return overflow ? .max : scaled &+ attoseconds / 1_000_000_000
    }
}
