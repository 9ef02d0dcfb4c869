/// The logging metadata keys of every idv-batch module: one scheme everywhere, so logs can be
/// filtered by batch, row, run or Yoti request whichever component wrote them.
///
/// Values are never secrets: client session tokens, private keys, notification auth tokens, the
/// Yoti Sign API key and database passwords are not logged at any level. Log `session.id`, never a token.
package enum LogKey {
    /// The batch (`idv.verification_requests.batch_id`).
    package static let batchID = "batch.id"
    /// The row id in `idv.verification_requests`.
    package static let requestID = "request.id"
    /// The row's attempt number (1 for the first call).
    package static let attempt = "attempt"
    /// The outcome class of a failure: transient, rate_limited, permanent, credentials, unknown_outcome, invalid_spec.
    package static let errorClass = "error.class"
    /// The HTTP status Yoti answered.
    package static let httpStatus = "http.status"
    /// Yoti's error `code` (`PAYLOAD_VALIDATION`, …).
    package static let yotiCode = "yoti.code"
    /// Yoti's `x-request-id` response header: what Yoti support asks for.
    package static let yotiRequestID = "yoti.request_id"
    /// The Yoti call (`POST /sessions`, `DELETE /sessions/{id}`).
    package static let yotiOperation = "yoti.operation"
    /// A Yoti session id (never the client session token).
    package static let sessionID = "session.id"
    /// This worker's name (`host:pid:random`).
    package static let worker = "worker"
    /// `idv.runs.id` of the run or sweep.
    package static let runID = "run.id"
    /// An error's description (errors never carry secrets).
    package static let error = "error"
    /// A path on disk (job file, metrics file), or an HTTP path the receiver serves.
    package static let path = "path"
    /// A Yoti notification's topic (`session_completion`, …).
    package static let notificationTopic = "notification.topic"
    /// Whether a notification was new (`accepted`) or a replay (`duplicate`).
    package static let notificationOutcome = "notification.outcome"
    /// Why the receiver rejected a request (`wrong_token`, `body_too_large`, …; never the request's content).
    package static let rejectReason = "reject.reason"
}
