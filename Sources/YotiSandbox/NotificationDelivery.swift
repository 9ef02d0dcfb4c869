import Foundation
import YotiAPI

/// How the sandbox delivers notifications (`POST` to a session's `notifications.endpoint`): the faults it
/// injects into its own attempts and how it retries, as Yoti retries until it gets a 2xx.
package struct NotificationDelivery: Sendable, Hashable {
    /// Share of attempts that fail as if the connection were refused: nothing is sent; retried.
    package var refused: Double
    /// Share of attempts sent but treated as answered 500 whatever the receiver said: retried, so the
    /// receiver sees the same notification again (a replay).
    package var serverError: Double
    /// Share of attempts held ``slowDelay`` before they are sent (a slow network).
    package var slow: Double
    /// How long a slow attempt waits (default 1 s).
    package var slowDelay: Duration
    /// Attempts per notification before it is given up (default 5).
    package var maxAttempts: Int
    /// Delay before the first retry, doubled for each further one (default 100 ms).
    package var retryDelay: Duration
    /// Notifications sent at once at most (default 32).
    package var maxConcurrent: Int
    /// How long one attempt may take, connecting included (default 5 s; a refused connection is retried by
    /// the HTTP client's pool until then).
    package var timeout: Duration = .seconds(5)

    package init(
        refused: Double = 0, serverError: Double = 0, slow: Double = 0, slowDelay: Duration = .seconds(1),
        maxAttempts: Int = 5, retryDelay: Duration = .milliseconds(100), maxConcurrent: Int = 32
    ) {
        self.refused = refused
        self.serverError = serverError
        self.slow = slow
        self.slowDelay = slowDelay
        self.maxAttempts = maxAttempts
        self.retryDelay = retryDelay
        self.maxConcurrent = maxConcurrent
    }

    /// Checks the values.
    /// - Throws: `SandboxError.Code.invalidConfiguration` naming the bad value.
    func validate() throws {
        func fail(_ message: String) -> SandboxError { SandboxError(code: .invalidConfiguration, message: message) }
        for rate in [refused, serverError, slow] where !(0...1).contains(rate) {
            throw fail("notification fault rates must be within 0...1")
        }
        guard refused + serverError + slow <= 1 + 1e-9 else {
            throw fail("notification fault rates sum to more than 1")
        }
        guard maxAttempts >= 1, maxConcurrent >= 1 else {
            throw fail("notification attempts and concurrency must be at least 1")
        }
        guard slowDelay >= .zero, retryDelay >= .zero else { throw fail("notification delays must not be negative") }
    }

    /// The injected fault of one attempt for a uniform draw `u` in `0..<1`.
    func pick(_ u: Double) -> Fault? {
        if u < refused { return .refused }
        if u < refused + serverError { return .serverError }
        return u < refused + serverError + slow ? .slow : nil
    }

    /// A fault injected into one delivery attempt.
    enum Fault: String, Sendable {
        case refused
        case serverError = "500"
        case slow
    }
}

/// One notification waiting to be delivered (in the sandbox's state; the authorization value is a secret:
/// never logged, never in stats).
struct PendingNotification: Sendable {
    var due: Date
    var sessionID: String
    var endpoint: String
    var authorization: String?
    var attempts: Int = 0
    /// The body: `{"session_id", "topic"}` (topic in lower case, as Yoti sends it).
    var body: [UInt8]
}

extension PendingNotification {
    /// The `session_completion` notification the session's spec asks for, due at `due`; `nil` when the spec
    /// names no endpoint or its topics leave out SESSION_COMPLETION.
    static func completion(of session: SandboxSession, due: Date) -> PendingNotification? {
        topic("SESSION_COMPLETION", of: session, due: due, whenTopicsOmitted: true)
    }

    /// The notification of `topic` (upper case) for `session`, due at `due`; `nil` when the spec names no
    /// endpoint or does not subscribe to the topic (`whenTopicsOmitted`: a spec listing no topics subscribes).
    static func topic(_ topic: String, of session: SandboxSession, due: Date, whenTopicsOmitted: Bool = false)
        -> PendingNotification?
    {
        guard let notifications = session.spec?["notifications"],
            let endpoint = notifications["endpoint"]?.stringValue, !endpoint.isEmpty
        else { return nil }
        if let topics = notifications["topics"]?.arrayValue {
            guard topics.contains(where: { $0.stringValue?.uppercased() == topic }) else { return nil }
        } else if !whenTopicsOmitted {
            return nil
        }
        var authorization: String?
        if let token = notifications["auth_token"]?.stringValue {
            authorization =
                notifications["auth_type"]?.stringValue?.uppercased() == "BEARER"
                ? "Bearer \(token)" : "Basic \(Data(token.utf8).base64EncodedString())"
        }
        let body: JSONValue = ["session_id": .string(session.id), "topic": .string(topic.lowercased())]
        return PendingNotification(
            due: due, sessionID: session.id, endpoint: endpoint, authorization: authorization, body: body.jsonBytes())
    }
}
