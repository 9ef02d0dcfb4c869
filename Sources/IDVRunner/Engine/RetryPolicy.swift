import Foundation
import YotiClient

/// Decides what one outcome means for its row — done, retried (when), failed, given back, or the run
/// stopped — for any step: the retry policy in one pure function, keyed by ``ErrorClass``.
struct RetryPolicy: Sendable {
    /// What the engine does next because of a result.
    enum Disposition: Sendable, Hashable {
        case succeeded
        case retryScheduled
        case failed
        case released
        /// Credentials were rejected: stop the whole run.
        case abortRun
    }

    /// The decision, with everything the row and the ledger record of it.
    struct Decision: Sendable, Hashable {
        var disposition: Disposition
        /// Counted attempts after this one (absolute: the lease guarantees nobody else changed it).
        var attempts: Int
        /// For a retry or a release: how long until the row is due again.
        var retryDelay: Duration?
        var errorClass: ErrorClass?
        /// The row's `last_error` (for people); `nil` with ``replacesError`` clears it.
        var lastError: String?
        var httpStatus: Int?
        var yotiCode: String?
        var yotiRequestID: String?
        /// The ledger's `error`.
        var ledgerError: String?
        /// Flags the row and the ledger attempt: the remote side may have acted.
        var possibleDuplicate: Bool
        /// The ledger's `outcome`.
        var ledgerOutcome: String
        /// Whether the row's error columns are replaced (a released row keeps its history).
        var replacesError: Bool
    }

    /// How long a 429 without `Retry-After` pauses the batch.
    static let defaultRetryAfter: Duration = .seconds(1)

    var maxAttempts: Int
    var onUnknown: RunnerConfiguration.UnknownOutcomePolicy
    var backoff: Backoff

    init(maxAttempts: Int, onUnknown: RunnerConfiguration.UnknownOutcomePolicy, backoff: Backoff) {
        self.maxAttempts = maxAttempts
        self.onUnknown = onUnknown
        self.backoff = backoff
    }

    init(_ configuration: RunnerConfiguration) {
        self.init(
            maxAttempts: configuration.maxAttempts, onUnknown: configuration.onUnknown, backoff: configuration.backoff)
    }

    /// The decision for `outcome` of a row with `attempts` counted attempts before this try
    /// (`attemptNumber` counts every try, 429s included).
    func decide<Success>(
        _ outcome: StepOutcome<Success>,
        attempts: Int,
        attemptNumber: Int,
        successOutcome: String,
        using generator: inout some RandomNumberGenerator
    ) -> Decision {
        var decision = Decision(
            disposition: .released, attempts: attempts, retryDelay: nil, errorClass: nil, lastError: nil,
            httpStatus: outcome.httpStatus, yotiCode: nil, yotiRequestID: nil, ledgerError: nil,
            possibleDuplicate: false, ledgerOutcome: outcome.ledgerOutcome(success: successOutcome), replacesError: true
        )

        switch outcome {
        case .succeeded(_, let answer):
            decision.disposition = .succeeded
            decision.attempts = attempts + 1
            decision.yotiRequestID = answer.yotiRequestID

        case .failed(let errorClass, let failure):
            decision.errorClass = errorClass
            decision.yotiCode = failure.yotiCode
            decision.yotiRequestID = failure.yotiRequestID
            decision.ledgerError = failure.summary
            decide(errorClass, failure, into: &decision, attemptNumber: attemptNumber, using: &generator)

        case .notSent(let reason):
            decision.retryDelay = .zero
            decision.ledgerError = reason
            // Keep the row's previous error: nothing new was learned about it.
            decision.replacesError = false

        case .interrupted:
            decision.errorClass = .unknownOutcome
            decision.possibleDuplicate = true
            decision.retryDelay = .zero
            decision.lastError = "interrupted mid-call by shutdown; the remote side may have acted (possible duplicate)"
            decision.ledgerError = decision.lastError
        }
        return decision
    }

    private func decide(
        _ errorClass: ErrorClass, _ failure: CallFailure, into decision: inout Decision, attemptNumber: Int,
        using generator: inout some RandomNumberGenerator
    ) {
        let counted = decision.attempts + 1
        switch errorClass {
        case .transient:
            decision.attempts = counted
            if counted >= maxAttempts {
                decision.disposition = .failed
                decision.lastError = "gave up after \(counted) attempts; last: \(failure.summary)"
            } else {
                decision.disposition = .retryScheduled
                decision.retryDelay = backoff.delay(
                    afterAttempt: counted, retryAfter: failure.retryAfter, using: &generator)
                decision.lastError = "will retry: \(failure.summary)"
            }

        case .rateLimited:
            // Not counted: a 429 says nothing about the row, only about the pace.
            decision.disposition = .retryScheduled
            decision.retryDelay = backoff.delay(
                afterAttempt: attemptNumber, retryAfter: failure.retryAfter ?? Self.defaultRetryAfter, using: &generator
            )
            decision.lastError = "rate limited, will retry: \(failure.summary)"

        case .credentials:
            // Not the row's fault: give it back as it was, and let the run stop.
            decision.disposition = .abortRun
            decision.retryDelay = .zero
            decision.lastError = "not attempted: credentials rejected (\(failure.summary))"

        case .unknownOutcome:
            decision.attempts = counted
            decision.possibleDuplicate = true
            let reason = "outcome unknown, the remote side may have acted (possible duplicate): \(failure.summary)"
            if onUnknown == .fail || counted >= maxAttempts {
                decision.disposition = .failed
                decision.lastError = reason
            } else {
                decision.disposition = .retryScheduled
                decision.retryDelay = backoff.delay(
                    afterAttempt: counted, retryAfter: failure.retryAfter, using: &generator)
                decision.lastError = "will retry: " + reason
            }

        case .invalidSpec:
            // Nothing was sent: the input is wrong and will be wrong again.
            decision.disposition = .failed
            decision.lastError = failure.summary
            decision.ledgerError = failure.summary

        default:
            // permanent, and any class this version does not know: the request is wrong; fail the row.
            decision.attempts = counted
            decision.disposition = .failed
            decision.lastError = failure.summary
        }
    }
}
