import Foundation
import TestSupport
import Testing
import YotiClient
import YotiSandbox

@testable import IDVRunner

@Suite("Outcome → decision → the create step's write-back")
struct RetryPolicyTests {
    static let now = Date(timeIntervalSince1970: 2_000_000_000)

    static func claim(attempts: Int = 0, attemptNumber: Int = 1) -> Claim<CreateSessionStep.Work> {
        Claim(
            id: 7, batchID: "b", leaseToken: 99, attemptID: 1234, attemptNumber: attemptNumber, attempts: attempts,
            pausedUntil: nil, subject: "ref-7", work: .init(externalRef: "ref-7", configName: nil, sessionSpec: nil))
    }

    static func plan(
        _ outcome: StepOutcome<CreatedSession>,
        attempts: Int = 0,
        attemptNumber: Int = 1,
        maxAttempts: Int = 6,
        onUnknown: RunnerConfiguration.UnknownOutcomePolicy = .retry,
        resourcesTTL: Int? = nil
    ) -> (
        decision: RetryPolicy.Decision, record: StepRecord<CreateSessionStep.Row>,
        entry: WriteBack<CreateSessionStep.Row>
    ) {
        CreateStepFixtures.writeBack(
            outcome, for: claim(attempts: attempts, attemptNumber: attemptNumber),
            request: .init(body: [], userTrackingID: "ref-7", resourcesTTL: resourcesTTL), maxAttempts: maxAttempts,
            onUnknown: onUnknown, now: now)
    }

    static func value(
        _ planned: (
            decision: RetryPolicy.Decision, record: StepRecord<CreateSessionStep.Row>,
            entry: WriteBack<CreateSessionStep.Row>
        ), _ column: String
    )
        -> String?
    {
        CreateStepFixtures.value(planned.record, column)
    }

    static let failure = CallFailure(
        httpStatus: 503, yotiCode: nil, errors: [], yotiRequestID: "req-1", retryAfter: nil, message: "unavailable")

    @Test("created: session, token, expiry = sentAt + ttl, resources = sentAt + resources_ttl or 7 days")
    func created() {
        let sentAt = Date(timeIntervalSince1970: 1_900_000_000.25)
        let session = CreateStepFixtures.session(id: "s-1", token: "tok", ttl: 599, sentAt: sentAt, requestID: "rq")
        let withDefault = Self.plan(CreateStepFixtures.created(session), attempts: 2)
        #expect(withDefault.decision.disposition == .succeeded)
        #expect(Self.value(withDefault, "status") == "created")
        #expect(Self.value(withDefault, "attempts") == "3")
        #expect(Self.value(withDefault, "session_id") == "s-1")
        #expect(Self.value(withDefault, "client_session_token") == "tok")
        #expect(
            Self.value(withDefault, "token_expires_at") == String(sentAt.addingTimeInterval(599).timeIntervalSince1970))
        #expect(
            Self.value(withDefault, "resources_expire_at")
                == String(sentAt.addingTimeInterval(7 * 24 * 3600).timeIntervalSince1970))
        #expect(Self.value(withDefault, "last_error") == nil && Self.value(withDefault, "error_class") == nil)
        #expect(Self.value(withDefault, "replaces_error") == "true")
        #expect(withDefault.entry.outcome == "created" && withDefault.entry.yotiRequestID == "rq")
        #expect(withDefault.entry.ledgerSessionID == "s-1" && withDefault.entry.subject == "ref-7")
        #expect(!withDefault.entry.description.contains("tok"))

        let withSpecTTL = Self.plan(CreateStepFixtures.created(session), resourcesTTL: 200_000)
        #expect(
            Self.value(withSpecTTL, "resources_expire_at")
                == String(sentAt.addingTimeInterval(200_000).timeIntervalSince1970))
    }

    @Test(
        "transient: retried with backoff and counted, failed once max-attempts counted failures are reached",
        arguments: [(0, "pending"), (4, "pending"), (5, "failed"), (9, "failed")])
    func transient(previousAttempts: Int, expected: String) {
        let planned = Self.plan(.failed(.transient, Self.failure), attempts: previousAttempts, maxAttempts: 6)
        #expect(Self.value(planned, "status") == expected)
        #expect(planned.decision.attempts == previousAttempts + 1)
        #expect(Self.value(planned, "error_class") == ErrorClass.transient.rawValue)
        #expect(Self.value(planned, "last_http_status") == "503")
        #expect(planned.decision.lastError?.contains("x-request-id req-1") == true)
        if expected == "pending" {
            #expect(planned.decision.disposition == .retryScheduled)
            let ceiling = Backoff.exponentialJitter().ceiling(afterAttempt: previousAttempts + 1)
            #expect(planned.decision.retryDelay.map { $0 <= ceiling } == true)
        } else {
            #expect(planned.decision.disposition == .failed)
            #expect(planned.decision.lastError?.hasPrefix("gave up after") == true)
        }
    }

    @Test(
        "rate limited: not counted, waits at least Retry-After (1 s when absent)",
        arguments: [(nil as Double?, 1.0), (7.0, 7.0)])
    func rateLimited(retryAfter: Double?, floor: Double) {
        var failure = Self.failure
        failure.httpStatus = 429
        failure.retryAfter = retryAfter.map { .seconds($0) }
        let planned = Self.plan(.failed(.rateLimited, failure), attempts: 5, attemptNumber: 9, maxAttempts: 6)
        #expect(Self.value(planned, "status") == "pending")
        #expect(planned.decision.attempts == 5)
        #expect(Self.value(planned, "error_class") == "rate_limited")
        #expect(planned.decision.retryDelay.map { $0 >= .seconds(floor) } == true)
        #expect(planned.decision.disposition == .retryScheduled)
    }

    @Test("permanent: failed at once with Yoti's code, errors and request id")
    func permanent() {
        let failure = CallFailure(
            httpStatus: 400, yotiCode: "PAYLOAD_VALIDATION", errors: ["requested_checks[0].type: unknown"],
            yotiRequestID: "abc", message: "bad")
        let planned = Self.plan(.failed(.permanent, failure))
        #expect(Self.value(planned, "status") == "failed")
        #expect(Self.value(planned, "error_class") == "permanent")
        #expect(Self.value(planned, "last_http_status") == "400")
        #expect(
            Self.value(planned, "last_error")
                == "HTTP 400 PAYLOAD_VALIDATION: requested_checks[0].type: unknown (x-request-id abc)")
        #expect(planned.entry.yotiCode == "PAYLOAD_VALIDATION")
    }

    @Test("credentials: the row goes back untouched (not counted) and the run aborts")
    func credentials() {
        var failure = Self.failure
        failure.httpStatus = 401
        let planned = Self.plan(.failed(.credentials, failure), attempts: 2)
        #expect(planned.decision.disposition == .abortRun)
        #expect(Self.value(planned, "status") == "pending")
        #expect(Self.value(planned, "attempts") == "2")
        #expect(planned.decision.retryDelay == .zero)
    }

    @Test(
        "unknown outcome: possible duplicate; retried under .retry, failed under .fail",
        arguments: [RunnerConfiguration.UnknownOutcomePolicy.retry, .fail])
    func unknown(policy: RunnerConfiguration.UnknownOutcomePolicy) {
        let planned = Self.plan(.failed(.unknownOutcome, Self.failure), attempts: 1, onUnknown: policy)
        #expect(planned.decision.possibleDuplicate && Self.value(planned, "possible_duplicate") == "true")
        #expect(planned.decision.attempts == 2)
        #expect(Self.value(planned, "error_class") == "unknown_outcome")
        if policy == .retry {
            #expect(Self.value(planned, "status") == "pending" && planned.decision.disposition == .retryScheduled)
        } else {
            #expect(Self.value(planned, "status") == "failed" && planned.decision.disposition == .failed)
        }
    }

    @Test("invalid spec: the step fails the row with the problems, nothing counted, nothing sent")
    func invalidSpec() {
        let claim = Self.claim()
        guard case .finished(let outcome) = CreateStepFixtures.step.request(for: claim) else {
            Issue.record("a row with neither config_name nor session_spec must not be sent")
            return
        }
        let planned = CreateStepFixtures.writeBack(outcome, for: claim)
        #expect(Self.value(planned, "status") == "failed")
        #expect(planned.decision.attempts == 0)
        #expect(Self.value(planned, "error_class") == "invalid_spec")
        #expect(
            Self.value(planned, "last_error")?.hasPrefix("invalid session spec (nothing sent): row ref-7 has neither")
                == true)
        #expect(Self.value(planned, "last_http_status") == nil && Self.value(planned, "session_id") == nil)
    }

    @Test("not sent: released as it was, keeping the previous error")
    func notSent() {
        let planned = Self.plan(.notSent(reason: "shutdown"), attempts: 3)
        #expect(planned.decision.disposition == .released)
        #expect(Self.value(planned, "status") == "pending" && Self.value(planned, "attempts") == "3")
        #expect(Self.value(planned, "replaces_error") == "false")
        #expect(!planned.decision.possibleDuplicate)
    }

    @Test("interrupted mid-call: released, flagged possible duplicate")
    func interrupted() {
        let planned = Self.plan(.interrupted, attempts: 3)
        #expect(planned.decision.disposition == .released)
        #expect(Self.value(planned, "status") == "pending" && planned.decision.possibleDuplicate)
    }

    @Test("every error class the policy writes is one the database stores and rerun accepts")
    func storedClasses() {
        for errorClass in ErrorClass.stored {
            #expect(ErrorClass(rawValue: errorClass.rawValue) == errorClass)
        }
    }
}
