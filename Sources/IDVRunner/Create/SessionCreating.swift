import YotiAPI
import YotiClient

/// Creates one Yoti session from the exact body bytes and reports how it went.
///
/// The create step talks to Yoti only through this, so tests can count or script calls; production
/// uses ``IDVClient``. Implementations rethrow nothing: cancellation becomes ``StepOutcome/interrupted``
/// because a cancelled call may already have reached Yoti and must be recorded as such.
protocol SessionCreating: Sendable {
    func attemptSession(body: [UInt8]) async -> StepOutcome<CreatedSession>
    /// Signs the call for `body` ahead of its send; `nil` (the default) signs at send time.
    func presign(body: [UInt8]) -> PresignedRequest?
    /// The call, with the request signed ahead when there is one (see ``presign(body:)``).
    func attemptSession(body: [UInt8], presigned: PresignedRequest?) async -> StepOutcome<CreatedSession>
}

extension SessionCreating {
    func presign(body: [UInt8]) -> PresignedRequest? { nil }

    func attemptSession(body: [UInt8], presigned: PresignedRequest?) async -> StepOutcome<CreatedSession> {
        await attemptSession(body: body)
    }
}

extension IDVClient: SessionCreating {
    func presign(body: [UInt8]) -> PresignedRequest? {
        presignCreateSession(body: body)
    }

    func attemptSession(body: [UInt8]) async -> StepOutcome<CreatedSession> {
        await attemptSession(body: body, presigned: nil)
    }

    func attemptSession(body: [UInt8], presigned: PresignedRequest?) async -> StepOutcome<CreatedSession> {
        do {
            let created = try await createSession(body: body, presigned: presigned)
            return .succeeded(created, .init(httpStatus: created.httpStatus, yotiRequestID: created.requestID))
        } catch {
            return StepOutcome(error: error)
        }
    }
}
