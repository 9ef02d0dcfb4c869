import Foundation

/// How one row's turn ended, in the runner's terms: the input of ``WriteBackPlanner``.
///
/// The Yoti client's error classes map onto these one to one; the runner adds the cases that
/// happen without (or around) a call: an invalid spec, a row released unsent, an interrupted call.
enum CallOutcome: Sendable {
    /// Yoti created the session.
    case created(CreatedSessionFacts)
    /// 5xx, or a network failure before the request was sent: retry with backoff (counts).
    case transient(CallFailure)
    /// 429: retry after `Retry-After` (does not count as an attempt).
    case rateLimited(CallFailure)
    /// 4xx other than 401/403/429: fail the row at once.
    case permanent(CallFailure)
    /// 401/403: stop the whole run; the row goes back untouched.
    case credentials(CallFailure)
    /// Timeout or reset after the request was sent: the session may exist.
    case unknown(CallFailure)
    /// The composed spec failed local validation, or its named configuration does not exist: no call made.
    case invalidSpec(problems: [String])
    /// The row was claimed but never sent (shutdown, abort, budget reached): release it.
    case notSent(reason: String)
    /// The call was cancelled (second signal) after it may have gone out.
    case interrupted
}

extension CallOutcome {
    /// The `idv.attempts.outcome` this call's ledger entry gets (the `class` label of `idv_attempts_total`).
    var ledgerOutcome: String {
        switch self {
        case .created: "created"
        case .transient: "transient"
        case .rateLimited: "rate_limited"
        case .permanent: "permanent"
        case .credentials: "credentials"
        case .unknown: "unknown_outcome"
        case .invalidSpec: "invalid_spec"
        case .notSent: "not_sent"
        case .interrupted: "interrupted"
        }
    }

    /// The HTTP status of the answer, when one arrived.
    var httpStatus: Int? {
        switch self {
        case .created(let session): session.httpStatus
        case .transient(let failure), .rateLimited(let failure), .permanent(let failure), .credentials(let failure),
            .unknown(let failure):
            failure.httpStatus
        case .invalidSpec, .notSent, .interrupted: nil
        }
    }
}

/// What the runner keeps of a created session.
struct CreatedSessionFacts: Sendable, Hashable {
    var sessionID: String
    /// Bearer secret: goes to the database, never to a log.
    var clientSessionToken: String
    /// Seconds of token life Yoti reported.
    var tokenTTL: Int
    /// Taken immediately before the request went out: expiry is computed from it, never later than the truth.
    var sentAt: Date
    var httpStatus: Int
    var yotiRequestID: String?
}

/// What the runner keeps of a failed call: enough for `last_error`, the ledger and support.
struct CallFailure: Sendable, Hashable {
    var httpStatus: Int?
    var yotiCode: String?
    /// `property: message` lines from Yoti's `errors[]`.
    var errors: [String]
    var yotiRequestID: String?
    var retryAfter: Duration?
    /// The client's own explanation (never contains tokens or keys).
    var message: String

    init(
        httpStatus: Int? = nil,
        yotiCode: String? = nil,
        errors: [String] = [],
        yotiRequestID: String? = nil,
        retryAfter: Duration? = nil,
        message: String
    ) {
        self.httpStatus = httpStatus
        self.yotiCode = yotiCode
        self.errors = errors
        self.yotiRequestID = yotiRequestID
        self.retryAfter = retryAfter
        self.message = message
    }

    /// One line for `last_error`: status, Yoti code, the problems, and the request id Yoti support asks for.
    var summary: String {
        var parts: [String] = []
        if let httpStatus { parts.append("HTTP \(httpStatus)") }
        if let yotiCode { parts.append(yotiCode) }
        var line = parts.joined(separator: " ")
        if !errors.isEmpty {
            line += (line.isEmpty ? "" : ": ") + errors.joined(separator: "; ")
        } else if !message.isEmpty {
            line += (line.isEmpty ? "" : ": ") + message
        }
        if let yotiRequestID { line += " (x-request-id \(yotiRequestID))" }
        return line
    }
}
