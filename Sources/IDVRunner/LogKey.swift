/// The runner's logging metadata keys: one scheme everywhere, so logs can be filtered by row or batch.
///
/// Values are never secrets: tokens, keys and auth tokens are not logged at any level.
enum LogKey {
    static let batchID = "batch.id"
    /// The row id in `idv.verification_requests`.
    static let requestID = "request.id"
    static let attempt = "attempt"
    static let errorClass = "error.class"
    static let httpStatus = "http.status"
    static let yotiCode = "yoti.code"
    static let yotiRequestID = "yoti.request_id"
    static let sessionID = "session.id"
    static let worker = "worker"
    static let runID = "run.id"
    static let error = "error"
}
