import Foundation
import Logging
import PostgresClient
import YotiAPI
import YotiClient
import YotiSandbox

@testable import IDVRunner

/// The create step's engine parts, built as ``StepEngine`` builds them, for tests that drive one part alone.
enum CreateStepFixtures {
    /// A create step that is never asked to call (tests drive claims and write-backs by hand).
    static let step = CreateSessionStep(catalog: SpecCatalog(configurations: [:]), sessions: NoCalls())
    static let statements = StepStatements(CreateSessionStep.statementParts)

    static func claimer(
        _ database: any RunnerDatabase, batches: [String], worker: String = "w", workerID: Int32? = nil,
        lease: Duration = .seconds(60)
    ) -> StepClaimer<CreateSessionStep> {
        StepClaimer(
            step: step, statements: statements, database: database, batches: batches, workerName: worker,
            workerID: workerID, leaseDuration: lease, runID: nil, clock: .system)
    }

    static func leaseKeeper(_ database: any RunnerDatabase, batches: [String], worker: String = "w") -> LeaseKeeper {
        LeaseKeeper(
            database: database, statements: statements, operation: .createSession, batches: batches, workerID: worker,
            leaseDuration: .seconds(60), maxAttempts: 6)
    }

    static func buffer(_ database: any RunnerDatabase, highWater: Int = 512) -> WriteBackBuffer<CreateSessionStep.Row> {
        WriteBackBuffer(
            database: database, statements: statements, operation: .createSession, highWater: highWater,
            logger: Logger(label: "test"))
    }

    static func session(id: String, token: String, ttl: Int = 899, sentAt: Date = Date(), requestID: String? = nil)
        -> CreatedSession
    {
        CreatedSession(
            response: CreateSessionResponse(clientSessionTokenTTL: ttl, clientSessionToken: token, sessionID: id),
            sentAt: sentAt, requestID: requestID, httpStatus: 201)
    }

    static func created(_ session: CreatedSession) -> StepOutcome<CreatedSession> {
        .succeeded(session, .init(httpStatus: session.httpStatus, yotiRequestID: session.requestID))
    }

    /// The decision and write-back the engine makes of `outcome` for `claim`.
    static func writeBack(
        _ outcome: StepOutcome<CreatedSession>, for claim: Claim<CreateSessionStep.Work>,
        request: CreateSessionStep.Request? = nil, maxAttempts: Int = 6,
        onUnknown: RunnerConfiguration.UnknownOutcomePolicy = .retry, now: Date = Date(), seed: UInt64 = 1
    ) -> (
        decision: RetryPolicy.Decision, record: StepRecord<CreateSessionStep.Row>,
        entry: WriteBack<CreateSessionStep.Row>
    ) {
        var generator = SplitMix64(seed: seed)
        let decision = RetryPolicy(maxAttempts: maxAttempts, onUnknown: onUnknown, backoff: .exponentialJitter())
            .decide(
                outcome, attempts: claim.attempts, attemptNumber: claim.attemptNumber,
                successOutcome: step.successOutcome,
                using: &generator)
        let record = step.record(decision, of: outcome, for: claim, request: request)
        let entry = WriteBack(
            claimID: claim.id, leaseToken: claim.leaseToken, attemptID: claim.attemptID, decision: decision,
            record: record, at: now)
        return (decision, record, entry)
    }

    /// The value the create step sends for `column` (by its name in ``CreateSessionStep/Row/columns``).
    static func value(_ record: StepRecord<CreateSessionStep.Row>, _ column: String) -> String? {
        CreateSessionStep.Row.columns.first { $0.name == column }?.text(record.row)
    }

    private struct NoCalls: SessionCreating {
        func attemptSession(body: [UInt8]) async -> StepOutcome<CreatedSession> {
            .notSent(reason: "test step makes no calls")
        }
    }
}
