import YotiAPI
import YotiClient

/// Creates one Yoti session from the exact body bytes and reports how it went, as a ``CallOutcome``.
///
/// The runner talks to Yoti only through this, so tests can count or script calls; production uses
/// ``IDVClient``. Implementations rethrow nothing: cancellation becomes ``CallOutcome/interrupted``
/// because a cancelled call may already have reached Yoti and must be recorded as such.
protocol SessionCreating: Sendable {
    func attemptSession(body: [UInt8]) async -> CallOutcome
}

extension IDVClient: SessionCreating {
    func attemptSession(body: [UInt8]) async -> CallOutcome {
        do {
            let created = try await createSession(body: body)
            return .created(
                CreatedSessionFacts(
                    sessionID: created.response.sessionID,
                    clientSessionToken: created.response.clientSessionToken,
                    tokenTTL: created.response.clientSessionTokenTTL,
                    sentAt: created.sentAt,
                    httpStatus: created.httpStatus,
                    yotiRequestID: created.requestID
                )
            )
        } catch let error as YotiAPIError {
            return CallOutcome(error)
        } catch is CancellationError {
            return .interrupted
        } catch {
            // The client promises only YotiAPIError; anything else is a bug we treat as "may have been sent".
            return .unknown(CallFailure(message: "unexpected client error: \(error)"))
        }
    }
}

extension CallOutcome {
    /// The runner's reading of a Yoti client error class.
    init(_ error: YotiAPIError) {
        let failure = CallFailure(
            httpStatus: error.status,
            yotiCode: error.yotiCode,
            errors: error.errors.map { "\($0.property ?? "-"): \($0.message ?? "-")" },
            yotiRequestID: error.requestID,
            retryAfter: error.retryAfter,
            message: error.message
        )
        switch error.code {
        case .credentials: self = .credentials(failure)
        case .rateLimited: self = .rateLimited(failure)
        case .transient: self = .transient(failure)
        case .unknownOutcome: self = .unknown(failure)
        default: self = .permanent(failure)
        }
    }
}
