import Foundation

/// Turns one row's ``CallOutcome`` into the ``WriteBack`` that records it: the retry policy in one pure function.
struct WriteBackPlanner: Sendable {
    /// What the runner does next because of a result.
    enum Disposition: Sendable, Hashable {
        case created
        case retryScheduled
        case failed
        case released
        /// Credentials were rejected: stop the whole run.
        case abortRun
    }

    /// The entry to store and what it means for the run.
    struct Decision: Sendable {
        var entry: WriteBack
        var disposition: Disposition
    }

    /// Yoti's default media retention when the spec sets no `resources_ttl`: one week.
    static let defaultResourcesTTL: TimeInterval = 7 * 24 * 3600
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
        self.init(maxAttempts: configuration.maxAttempts, onUnknown: configuration.onUnknown, backoff: configuration.backoff)
    }

    /// The write-back for `outcome` of `row`.
    /// - Parameters:
    ///   - resourcesTTL: the spec's `resources_ttl` in seconds, when it set one.
    ///   - userTrackingID: the `user_tracking_id` that was (or would have been) sent.
    ///   - now: stamps the ledger's `finished_at`.
    ///   - generator: backoff jitter source.
    func plan(
        row: ClaimedRow,
        outcome: CallOutcome,
        resourcesTTL: Int? = nil,
        userTrackingID: String? = nil,
        now: Date,
        using generator: inout some RandomNumberGenerator
    ) -> Decision {
        var entry = WriteBack(
            requestID: row.id,
            leaseToken: row.leaseToken,
            attemptID: row.attemptID,
            status: .pending,
            attempts: row.attempts,
            retryDelay: nil,
            sessionID: nil,
            clientSessionToken: nil,
            tokenExpiresAt: nil,
            resourcesExpireAt: nil,
            lastError: nil,
            lastHTTPStatus: nil,
            errorClass: nil,
            possibleDuplicate: false,
            finishedAt: now,
            outcome: outcome.ledgerOutcome,
            yotiCode: nil,
            yotiRequestID: nil,
            ledgerError: nil,
            userTrackingID: userTrackingID
        )
        let disposition: Disposition

        switch outcome {
        case .created(let session):
            entry.status = .created
            entry.attempts = row.attempts + 1
            entry.sessionID = session.sessionID
            entry.clientSessionToken = session.clientSessionToken
            entry.tokenExpiresAt = session.sentAt.addingTimeInterval(TimeInterval(session.tokenTTL))
            entry.resourcesExpireAt = session.sentAt.addingTimeInterval(
                resourcesTTL.map(TimeInterval.init) ?? Self.defaultResourcesTTL
            )
            entry.lastHTTPStatus = session.httpStatus
            entry.yotiRequestID = session.yotiRequestID
            disposition = .created

        case .transient(let failure):
            record(failure, in: &entry)
            entry.errorClass = "transient"
            entry.attempts = row.attempts + 1
            if entry.attempts >= maxAttempts {
                entry.status = .failed
                entry.lastError = "gave up after \(entry.attempts) attempts; last: \(failure.summary)"
                disposition = .failed
            } else {
                entry.retryDelay = backoff.delay(afterAttempt: entry.attempts, retryAfter: failure.retryAfter, using: &generator)
                entry.lastError = "will retry: \(failure.summary)"
                disposition = .retryScheduled
            }

        case .rateLimited(let failure):
            // Not counted: a 429 says nothing about the row, only about the pace.
            record(failure, in: &entry)
            entry.errorClass = "rate_limited"
            entry.retryDelay = backoff.delay(
                afterAttempt: row.attemptNumber,
                retryAfter: failure.retryAfter ?? Self.defaultRetryAfter,
                using: &generator
            )
            entry.lastError = "rate limited, will retry: \(failure.summary)"
            disposition = .retryScheduled

        case .permanent(let failure):
            record(failure, in: &entry)
            entry.errorClass = "permanent"
            entry.attempts = row.attempts + 1
            entry.status = .failed
            entry.lastError = failure.summary
            disposition = .failed

        case .credentials(let failure):
            // Not the row's fault: give it back as it was, and let the run stop.
            record(failure, in: &entry)
            entry.errorClass = "credentials"
            entry.retryDelay = .zero
            entry.lastError = "not attempted: credentials rejected (\(failure.summary))"
            disposition = .abortRun

        case .unknown(let failure):
            record(failure, in: &entry)
            entry.errorClass = "unknown_outcome"
            entry.possibleDuplicate = true
            entry.attempts = row.attempts + 1
            let reason = "outcome unknown, a session may exist at Yoti (possible duplicate): \(failure.summary)"
            if onUnknown == .fail || entry.attempts >= maxAttempts {
                entry.status = .failed
                entry.lastError = reason
                disposition = .failed
            } else {
                entry.retryDelay = backoff.delay(afterAttempt: entry.attempts, retryAfter: failure.retryAfter, using: &generator)
                entry.lastError = "will retry: " + reason
                disposition = .retryScheduled
            }

        case .invalidSpec(let problems):
            entry.status = .failed
            entry.errorClass = "invalid_spec"
            entry.lastError = "invalid session spec (nothing sent): " + problems.joined(separator: "; ")
            entry.ledgerError = entry.lastError
            disposition = .failed

        case .notSent(let reason):
            entry.retryDelay = .zero
            entry.ledgerError = reason
            // Keep the row's previous error: nothing new was learned about it.
            entry.lastError = nil
            entry.errorClass = nil
            disposition = .released

        case .interrupted:
            entry.errorClass = "unknown_outcome"
            entry.possibleDuplicate = true
            entry.retryDelay = .zero
            entry.lastError = "interrupted mid-call by shutdown; a session may exist at Yoti (possible duplicate)"
            entry.ledgerError = entry.lastError
            disposition = .released
        }
        return Decision(entry: entry, disposition: disposition)
    }

    private func record(_ failure: CallFailure, in entry: inout WriteBack) {
        entry.lastHTTPStatus = failure.httpStatus
        entry.yotiCode = failure.yotiCode
        entry.yotiRequestID = failure.yotiRequestID
        entry.ledgerError = failure.summary
    }
}

extension WriteBack {
    /// Whether the row's `last_error`/`error_class` are replaced (a released row keeps its history).
    var replacesError: Bool { outcome != "not_sent" }
}
