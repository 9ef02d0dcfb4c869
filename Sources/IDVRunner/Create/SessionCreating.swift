import YotiAPI
import YotiClient

/// Creates one Yoti session from the exact body bytes and reports how it went.
///
/// The create step talks to Yoti only through this, so tests can count or script calls; production
/// uses ``IDVClient``. Implementations rethrow nothing: cancellation becomes ``StepOutcome/interrupted``
/// because a cancelled call may already have reached Yoti and must be recorded as such.
protocol SessionCreating: Sendable {
    func attemptSession(body: [UInt8]) async -> StepOutcome<CreatedSession>
}

extension IDVClient: SessionCreating {
    func attemptSession(body: [UInt8]) async -> StepOutcome<CreatedSession> {
        do {
            let created = try await createSession(body: body)
            return .succeeded(created, .init(httpStatus: created.httpStatus, yotiRequestID: created.requestID))
        } catch {
            return StepOutcome(error: error)
        }
    }
}
