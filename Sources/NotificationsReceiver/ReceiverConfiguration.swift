import HTTPServerLimits

/// How `idv-batch notifications serve` listens and what it accepts; every knob has a documented default.
package struct ReceiverConfiguration: Sendable {
    /// The address to listen on. Default `127.0.0.1`: a reverse proxy in front terminates TLS.
    package var host = "127.0.0.1"
    /// The TCP port (0: any free port, reported by the `listening` log line). Default 8080.
    package var port = 8080
    /// The path Yoti posts to (the spec's `notifications.endpoint` ends with it). Default `/notifications`.
    package var path = "/notifications"
    /// The shared secret (`notifications.auth_token`).
    package var token: ReceiverToken
    /// The `Authorization` schemes accepted. Default both (the spec's `auth_type` picks one per session).
    package var schemes: Set<AuthScheme> = [.basic, .bearer]
    /// The largest body accepted, in bytes; larger ones get 413. Default 16 KiB (a notification is ~100 bytes).
    package var maxBodyBytes = 16 * 1024
    /// How long storing one notification may take before the answer is 503. Default 5 s.
    package var storeTimeout: Duration = .seconds(5)
    /// The `Retry-After` of a 503, in seconds. Default 10.
    package var retryAfterSeconds = 10
    /// TLS served here; default `nil`: plain HTTP behind a reverse proxy that terminates TLS.
    package var tls: ReceiverTLS?
    /// The idle timeout and the connection cap (defaults 30 s and 256); a connection over the cap is answered
    /// 503 with ``retryAfterSeconds``.
    package var limits = ServerLimits()
    /// How long `/healthz`'s answer is reused before the database is asked again. Default 5 s.
    package var healthCacheDuration: Duration = .seconds(5)

    /// The defaults, with `token`.
    package init(token: ReceiverToken) { self.token = token }
}
