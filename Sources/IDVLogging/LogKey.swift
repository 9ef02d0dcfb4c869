/// The logging metadata keys of every idv-batch module: one scheme everywhere, so logs can be
/// filtered by batch, row, run or Yoti request whichever component wrote them.
///
/// Values are never secrets: client session tokens, private keys, notification auth tokens, the
/// Yoti Sign API key and database passwords are not logged at any level. Log `session.id`, never a token.
public enum LogKey {
    /// The batch (`idv.verification_requests.batch_id`).
    public static let batchID = "batch.id"
    /// The row id in `idv.verification_requests`.
    public static let requestID = "request.id"
    /// The row's attempt number (1 for the first call).
    public static let attempt = "attempt"
    /// The outcome class of a failure: transient, rate_limited, permanent, credentials, unknown_outcome, invalid_spec.
    public static let errorClass = "error.class"
    /// The HTTP status Yoti answered.
    public static let httpStatus = "http.status"
    /// Yoti's error `code` (`PAYLOAD_VALIDATION`, …).
    public static let yotiCode = "yoti.code"
    /// Yoti's `x-request-id` response header: what Yoti support asks for.
    public static let yotiRequestID = "yoti.request_id"
    /// The Yoti call (`POST /sessions`, `DELETE /sessions/{id}`).
    public static let yotiOperation = "yoti.operation"
    /// A Yoti session id (never the client session token).
    public static let sessionID = "session.id"
    /// This worker's name (`host:pid:random`).
    public static let worker = "worker"
    /// `idv.runs.id` of the run or sweep.
    public static let runID = "run.id"
    /// An error's description (errors never carry secrets).
    public static let error = "error"
    /// A path on disk (job file, metrics file).
    public static let path = "path"
}
