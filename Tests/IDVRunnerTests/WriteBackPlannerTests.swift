import Foundation
import Testing
import TestSupport

import YotiSandbox
@testable import IDVRunner

@Suite("Outcome → write-back mapping")
struct WriteBackPlannerTests {
    static let now = Date(timeIntervalSince1970: 2_000_000_000)

    static func row(attempts: Int = 0, attemptNumber: Int = 1) -> ClaimedRow {
        ClaimedRow(
            id: 7, batchID: "b", externalRef: "ref-7", configName: nil, sessionSpec: nil, attempts: attempts,
            leaseToken: 99, attemptID: 1234, attemptNumber: attemptNumber, pausedUntil: nil)
    }

    static func plan(
        _ outcome: CallOutcome,
        attempts: Int = 0,
        attemptNumber: Int = 1,
        maxAttempts: Int = 6,
        onUnknown: RunnerConfiguration.UnknownOutcomePolicy = .retry,
        resourcesTTL: Int? = nil
    ) -> WriteBackPlanner.Decision {
        let planner = WriteBackPlanner(maxAttempts: maxAttempts, onUnknown: onUnknown, backoff: .exponentialJitter())
        var generator = SplitMix64(seed: 1)
        return planner.plan(
            row: row(attempts: attempts, attemptNumber: attemptNumber), outcome: outcome, resourcesTTL: resourcesTTL,
            userTrackingID: "ref-7", now: now, using: &generator)
    }

    static let failure = CallFailure(
        httpStatus: 503, yotiCode: nil, errors: [], yotiRequestID: "req-1", retryAfter: nil, message: "unavailable")

    @Test("created: session, token, expiry = sentAt + ttl, resources = sentAt + resources_ttl or 7 days")
    func created() {
        let sentAt = Date(timeIntervalSince1970: 1_900_000_000.25)
        let facts = CreatedSessionFacts(
            sessionID: "s-1", clientSessionToken: "tok", tokenTTL: 599, sentAt: sentAt, httpStatus: 201,
            yotiRequestID: "rq")
        let withDefault = Self.plan(.created(facts), attempts: 2)
        #expect(withDefault.disposition == .created)
        let entry = withDefault.entry
        #expect(entry.status == .created)
        #expect(entry.attempts == 3)
        #expect(entry.sessionID == "s-1")
        #expect(entry.clientSessionToken == "tok")
        #expect(entry.tokenExpiresAt == sentAt.addingTimeInterval(599))
        #expect(entry.resourcesExpireAt == sentAt.addingTimeInterval(7 * 24 * 3600))
        #expect(entry.lastError == nil && entry.errorClass == nil && entry.replacesError)
        #expect(entry.outcome == "created" && entry.yotiRequestID == "rq")
        #expect(!entry.description.contains("tok,") && entry.description.contains("<redacted>"))

        let withSpecTTL = Self.plan(.created(facts), resourcesTTL: 200_000)
        #expect(withSpecTTL.entry.resourcesExpireAt == sentAt.addingTimeInterval(200_000))
    }

    @Test("transient: retried with backoff and counted, failed once max-attempts counted failures are reached",
          arguments: [(0, WriteBack.RowStatus.pending), (4, .pending), (5, .failed), (9, .failed)])
    func transient(previousAttempts: Int, expected: WriteBack.RowStatus) {
        let decision = Self.plan(.transient(Self.failure), attempts: previousAttempts, maxAttempts: 6)
        #expect(decision.entry.status == expected)
        #expect(decision.entry.attempts == previousAttempts + 1)
        #expect(decision.entry.errorClass == "transient")
        #expect(decision.entry.lastHTTPStatus == 503)
        #expect(decision.entry.lastError?.contains("x-request-id req-1") == true)
        if expected == .pending {
            #expect(decision.disposition == .retryScheduled)
            let ceiling = Backoff.exponentialJitter().ceiling(afterAttempt: previousAttempts + 1)
            #expect(decision.entry.retryDelay.map { $0 <= ceiling } == true)
        } else {
            #expect(decision.disposition == .failed)
            #expect(decision.entry.lastError?.hasPrefix("gave up after") == true)
        }
    }

    @Test("rate limited: not counted, waits at least Retry-After (1 s when absent)",
          arguments: [(nil as Double?, 1.0), (7.0, 7.0)])
    func rateLimited(retryAfter: Double?, floor: Double) {
        var failure = Self.failure
        failure.httpStatus = 429
        failure.retryAfter = retryAfter.map { .seconds($0) }
        let decision = Self.plan(.rateLimited(failure), attempts: 5, attemptNumber: 9, maxAttempts: 6)
        #expect(decision.entry.status == .pending)
        #expect(decision.entry.attempts == 5)
        #expect(decision.entry.errorClass == "rate_limited")
        #expect(decision.entry.retryDelay.map { $0 >= .seconds(floor) } == true)
        #expect(decision.disposition == .retryScheduled)
    }

    @Test("permanent: failed at once with Yoti's code, errors and request id")
    func permanent() {
        let failure = CallFailure(
            httpStatus: 400, yotiCode: "PAYLOAD_VALIDATION", errors: ["requested_checks[0].type: unknown"],
            yotiRequestID: "abc", message: "bad")
        let decision = Self.plan(.permanent(failure))
        #expect(decision.entry.status == .failed)
        #expect(decision.entry.errorClass == "permanent")
        #expect(decision.entry.lastHTTPStatus == 400)
        #expect(
            decision.entry.lastError
                == "HTTP 400 PAYLOAD_VALIDATION: requested_checks[0].type: unknown (x-request-id abc)")
        #expect(decision.entry.yotiCode == "PAYLOAD_VALIDATION")
    }

    @Test("credentials: the row goes back untouched (not counted) and the run aborts")
    func credentials() {
        var failure = Self.failure
        failure.httpStatus = 401
        let decision = Self.plan(.credentials(failure), attempts: 2)
        #expect(decision.disposition == .abortRun)
        #expect(decision.entry.status == .pending)
        #expect(decision.entry.attempts == 2)
        #expect(decision.entry.retryDelay == .zero)
    }

    @Test("unknown outcome: possible duplicate; retried under .retry, failed under .fail",
          arguments: [RunnerConfiguration.UnknownOutcomePolicy.retry, .fail])
    func unknown(policy: RunnerConfiguration.UnknownOutcomePolicy) {
        let decision = Self.plan(.unknown(Self.failure), attempts: 1, onUnknown: policy)
        #expect(decision.entry.possibleDuplicate)
        #expect(decision.entry.attempts == 2)
        #expect(decision.entry.errorClass == "unknown_outcome")
        if policy == .retry {
            #expect(decision.entry.status == .pending && decision.disposition == .retryScheduled)
        } else {
            #expect(decision.entry.status == .failed && decision.disposition == .failed)
        }
    }

    @Test("invalid spec: failed with the problems, nothing counted, nothing sent")
    func invalidSpec() {
        let decision = Self.plan(.invalidSpec(problems: ["a: bad", "b: worse"]))
        #expect(decision.entry.status == .failed)
        #expect(decision.entry.attempts == 0)
        #expect(decision.entry.errorClass == "invalid_spec")
        #expect(decision.entry.lastError == "invalid session spec (nothing sent): a: bad; b: worse")
        #expect(decision.entry.lastHTTPStatus == nil && decision.entry.sessionID == nil)
    }

    @Test("not sent: released as it was, keeping the previous error")
    func notSent() {
        let decision = Self.plan(.notSent(reason: "shutdown"), attempts: 3)
        #expect(decision.disposition == .released)
        #expect(decision.entry.status == .pending && decision.entry.attempts == 3)
        #expect(!decision.entry.replacesError)
        #expect(!decision.entry.possibleDuplicate)
    }

    @Test("interrupted mid-call: released, flagged possible duplicate")
    func interrupted() {
        let decision = Self.plan(.interrupted, attempts: 3)
        #expect(decision.disposition == .released)
        #expect(decision.entry.status == .pending && decision.entry.possibleDuplicate)
    }
}
