import Foundation
import PostgresClient
import YotiAPI
import YotiClient

/// `POST /sessions` for every pending row: the step `run` and `rerun` drive through the engine.
///
/// Selects `pending` rows (the public state machine: `pending → in_progress → created | pending | failed`),
/// sends the composed spec (the named configuration merged with the row's patch, validated locally),
/// and writes back the session id, client session token and expiries.
struct CreateSessionStep: RemoteStep {
    /// What the claim reads from a row.
    struct Work: Sendable, Hashable {
        var externalRef: String
        var configName: String?
        /// The row's `session_spec` (a full spec, or a merge patch over `configName`).
        var sessionSpec: JSONValue?
    }

    /// A composed, validated body and what the write-back needs to know about it.
    struct Request: Sendable {
        var body: [UInt8]
        var userTrackingID: String?
        var resourcesTTL: Int?
        /// The composed spec asks for In-Branch Verification: the created row's follow-through is `pending`.
        var inBranch: Bool = false
        /// The call signed ahead (``arm(_:)``), while the row waited for a slot.
        var presigned: PresignedRequest? = nil
    }

    /// Yoti's default media retention when the spec sets no `resources_ttl`: one week.
    static let defaultResourcesTTL: TimeInterval = 7 * 24 * 3600

    let catalog: SpecCatalog
    let sessions: any SessionCreating

    var operation: StepOperation { .createSession }
    var successOutcome: String { "created" }
    var successMessage: String { "Session created" }
    var waitsForRetries: Bool { true }

    /// Built once: the statements are derived from it per engine.
    static let statementParts = StepSQL(
        runnable: "r.status = 'pending'",
        claimAssignments: "status = 'in_progress',",
        claimReturning: "r.external_ref, r.config_name, r.session_spec, r.attempts AS counted_attempts",
        // The user_tracking_id default (the spec's, else the configuration's, else external_ref), recorded
        // in the ledger before the call; the composer fills the same value into the body.
        subject: "COALESCE(c.session_spec ->> 'user_tracking_id', sc.spec ->> 'user_tracking_id', c.external_ref)",
        subjectJoin: "LEFT JOIN idv.session_configs sc ON sc.name = c.config_name",
        releaseAssignments: """
            status = CASE WHEN r.attempts + 1 >= $3 THEN 'failed' ELSE 'pending' END,
                    attempts = r.attempts + 1,
                    possible_duplicate = true,
                    error_class = $6,
                    last_error = 'worker ' || coalesce(r.lease_owner, '?') || ' stopped mid-call (its connection to '
                        || 'PostgreSQL ended, or its lease expired at '
                        || to_char(r.lease_expires_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"')
                        || '); a session may exist at Yoti (possible duplicate): see idv.attempts',
            """,
        releasedFailed: "r.status = 'failed'",
        rowColumns: [
            .init(name: "status", type: "text"), .init(name: "attempts", type: "integer"),
            .init(name: "retry_delay", type: "float8"), .init(name: "session_id", type: "text"),
            .init(name: "client_session_token", type: "text"), .init(name: "token_expires_at", type: "float8"),
            .init(name: "resources_expire_at", type: "float8"), .init(name: "last_error", type: "text"),
            .init(name: "last_http_status", type: "integer"), .init(name: "error_class", type: "text"),
            .init(name: "possible_duplicate", type: "boolean"), .init(name: "replaces_error", type: "boolean"),
            .init(name: "instructions_status", type: "text"),
        ],
        rowAssignments: """
            status = u.status,
                    attempts = u.attempts,
                    next_attempt_at = CASE WHEN u.status = 'pending'
                        THEN now() + make_interval(secs => coalesce(u.retry_delay, 0))
                        ELSE r.next_attempt_at END,
                    session_id = CASE WHEN u.status = 'created' THEN u.session_id ELSE r.session_id END,
                    client_session_token = CASE WHEN u.status = 'created'
                        THEN u.client_session_token ELSE r.client_session_token END,
                    token_expires_at = CASE WHEN u.status = 'created'
                        THEN to_timestamp(u.token_expires_at) ELSE r.token_expires_at END,
                    resources_expire_at = CASE WHEN u.status = 'created'
                        THEN to_timestamp(u.resources_expire_at) ELSE r.resources_expire_at END,
                    last_error = CASE WHEN u.replaces_error THEN u.last_error ELSE r.last_error END,
                    last_http_status = CASE WHEN u.replaces_error THEN u.last_http_status ELSE r.last_http_status END,
                    error_class = CASE WHEN u.replaces_error THEN u.error_class ELSE r.error_class END,
                    possible_duplicate = r.possible_duplicate OR u.possible_duplicate,
                    instructions_status = CASE WHEN u.status = 'created'
                        THEN u.instructions_status ELSE r.instructions_status END,
                    instructions_next_at = CASE WHEN u.status = 'created' THEN NULL ELSE r.instructions_next_at END
            """
    )

    var sql: StepSQL { Self.statementParts }

    func work(from row: PostgresRow) throws -> Work {
        Work(
            externalRef: try row.decode(String.self, "external_ref"),
            configName: try row.decode(String?.self, "config_name"),
            sessionSpec: try row.decode(String?.self, "session_spec").map { try JSONValue(jsonString: $0) }
        )
    }

    func request(for claim: Claim<Work>) -> StepPreparation<Request, CreatedSession> {
        let work = claim.work
        switch catalog.prepare(
            configName: work.configName, sessionSpec: work.sessionSpec, externalRef: work.externalRef,
            userTrackingID: claim.subject)
        {
        case .ready(let body, let userTrackingID, let resourcesTTL, let inBranch):
            return .ready(
                Request(body: body, userTrackingID: userTrackingID, resourcesTTL: resourcesTTL, inBranch: inBranch))
        case .invalid(let problems):
            return .finished(
                .failed(
                    .invalidSpec,
                    CallFailure(message: "invalid session spec (nothing sent): " + problems.joined(separator: "; "))))
        }
    }

    /// Signs the call while the row waits for a slot: the signature is most of a call's CPU.
    func arm(_ request: Request) -> Request {
        var armed = request
        armed.presigned = sessions.presign(body: request.body)
        return armed
    }

    func send(_ request: Request) async -> StepOutcome<CreatedSession> {
        await sessions.attemptSession(body: request.body, presigned: request.presigned)
    }

    func record(
        _ decision: RetryPolicy.Decision, of outcome: StepOutcome<CreatedSession>, for claim: Claim<Work>,
        request: Request?
    ) -> StepRecord {
        func seconds(_ date: Date?) -> String? { date.map { String($0.timeIntervalSince1970) } }
        var session: CreatedSession?
        if case .succeeded(let created, _) = outcome { session = created }
        let status: String
        switch decision.disposition {
        case .succeeded: status = "created"
        case .failed: status = "failed"
        case .retryScheduled, .released, .abortRun: status = "pending"
        }
        let resourcesExpireAt = session.map {
            $0.sentAt.addingTimeInterval(request?.resourcesTTL.map(TimeInterval.init) ?? Self.defaultResourcesTTL)
        }
        return StepRecord(
            row: [
                status, String(decision.attempts), decision.retryDelay.map { String($0.secondsDouble) },
                session?.response.sessionID, session?.response.clientSessionToken, seconds(session?.tokenExpiresAt),
                seconds(resourcesExpireAt), decision.lastError, decision.httpStatus.map(String.init),
                decision.errorClass?.rawValue, decision.possibleDuplicate ? "true" : "false",
                decision.replacesError ? "true" : "false",
                session == nil ? nil : (request?.inBranch == true ? "pending" : "not_needed"),
            ],
            ledgerSessionID: session?.response.sessionID,
            subject: request?.userTrackingID,
            label: nil
        )
    }
}
