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

    /// The row's new values: `status` always; the session's fields when created; the error when it
    /// replaces the row's.
    struct Row: WriteBackRow {
        var status: RequestStatus
        var attempts: Int
        /// The retry's delay (for `pending`); `nil` for none.
        var retryDelay: Duration?
        var sessionID: String?
        /// A secret: never printed (``WriteBack`` leaves rows out of its description).
        var clientSessionToken: String?
        var tokenExpiresAt: Date?
        var resourcesExpireAt: Date?
        var lastError: String?
        var lastHTTPStatus: Int?
        var errorClass: ErrorClass?
        var possibleDuplicate: Bool
        /// Whether the error fields replace the row's (else the row keeps its last error).
        var replacesError: Bool
        /// The created row's follow-through start (`pending` for In-Branch, else `not_needed`).
        var instructionsStatus: InstructionsStatus?

        static let columns: [WriteBackColumn<Self>] = [
            .state("status") { $0.status }, .integer("attempts") { $0.attempts },
            .seconds("retry_delay") { $0.retryDelay }, .text("session_id") { $0.sessionID },
            .text("client_session_token") { $0.clientSessionToken },
            .instant("token_expires_at") { $0.tokenExpiresAt },
            .instant("resources_expire_at") { $0.resourcesExpireAt }, .text("last_error") { $0.lastError },
            .integer("last_http_status") { $0.lastHTTPStatus }, .text("error_class") { $0.errorClass?.rawValue },
            .boolean("possible_duplicate") { $0.possibleDuplicate }, .boolean("replaces_error") { $0.replacesError },
            .state("instructions_status") { $0.instructionsStatus },
        ]
    }

    /// Yoti's default media retention when the spec sets no `resources_ttl`: one week.
    static let defaultResourcesTTL: TimeInterval = 7 * 24 * 3600

    let catalog: SpecCatalog
    let sessions: any SessionCreating

    var operation: StepOperation { .createSession }
    var successOutcome: String { RequestStatus.created.rawValue }
    var successMessage: String { "Session created" }
    var waitsForRetries: Bool { true }
    /// The run's own step: its progress lines name no step.
    var progressLabel: String? { nil }

    /// Built once: the statements are derived from it per engine.
    static let statementParts = StepSQL(
        runnable: "r.status = '\(RequestStatus.pending)'",
        claimAssignments: "status = '\(RequestStatus.inProgress)',",
        claimReturning: "r.external_ref, r.config_name, r.session_spec, r.attempts AS counted_attempts",
        // The user_tracking_id default (the spec's, else the configuration's, else external_ref), recorded
        // in the ledger before the call; the composer fills the same value into the body.
        subject: "COALESCE(c.session_spec ->> 'user_tracking_id', sc.spec ->> 'user_tracking_id', c.external_ref)",
        subjectJoin: "LEFT JOIN idv.session_configs sc ON sc.name = c.config_name",
        releaseAssignments: """
            status = CASE WHEN r.attempts + 1 >= p.max_attempts THEN '\(RequestStatus.failed)'
                        ELSE '\(RequestStatus.pending)' END,
                    attempts = r.attempts + 1,
                    possible_duplicate = true,
                    error_class = p.unknown_outcome,
                    last_error = 'worker ' || coalesce(r.lease_owner, '?') || ' stopped mid-call (its connection to '
                        || 'PostgreSQL ended, or its lease expired at '
                        || to_char(r.lease_expires_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"')
                        || '); a session may exist at Yoti (possible duplicate): see idv.attempts',
            """,
        releasedFailed: "r.status = '\(RequestStatus.failed)'",
        rowColumns: Row.sqlColumns,
        rowAssignments: """
            status = u.status,
                    attempts = u.attempts,
                    next_attempt_at = CASE WHEN u.status = '\(RequestStatus.pending)'
                        THEN now() + make_interval(secs => coalesce(u.retry_delay, 0))
                        ELSE r.next_attempt_at END,
                    session_id = CASE WHEN u.status = '\(RequestStatus.created)' THEN u.session_id ELSE r.session_id END,
                    client_session_token = CASE WHEN u.status = '\(RequestStatus.created)'
                        THEN u.client_session_token ELSE r.client_session_token END,
                    token_expires_at = CASE WHEN u.status = '\(RequestStatus.created)'
                        THEN to_timestamp(u.token_expires_at) ELSE r.token_expires_at END,
                    resources_expire_at = CASE WHEN u.status = '\(RequestStatus.created)'
                        THEN to_timestamp(u.resources_expire_at) ELSE r.resources_expire_at END,
                    last_error = CASE WHEN u.replaces_error THEN u.last_error ELSE r.last_error END,
                    last_http_status = CASE WHEN u.replaces_error THEN u.last_http_status ELSE r.last_http_status END,
                    error_class = CASE WHEN u.replaces_error THEN u.error_class ELSE r.error_class END,
                    possible_duplicate = r.possible_duplicate OR u.possible_duplicate,
                    instructions_status = CASE WHEN u.status = '\(RequestStatus.created)'
                        THEN u.instructions_status ELSE r.instructions_status END,
                    instructions_next_at = CASE WHEN u.status = '\(RequestStatus.created)' THEN NULL ELSE r.instructions_next_at END
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
    ) -> StepRecord<Row> {
        var session: CreatedSession?
        if case .succeeded(let created, _) = outcome { session = created }
        let status: RequestStatus
        switch decision.disposition {
        case .succeeded: status = .created
        case .failed: status = .failed
        case .retryScheduled, .released, .abortRun: status = .pending
        }
        let resourcesExpireAt = session.map {
            $0.sentAt.addingTimeInterval(request?.resourcesTTL.map(TimeInterval.init) ?? Self.defaultResourcesTTL)
        }
        return StepRecord(
            row: Row(
                status: status, attempts: decision.attempts, retryDelay: decision.retryDelay,
                sessionID: session?.response.sessionID, clientSessionToken: session?.response.clientSessionToken,
                tokenExpiresAt: session?.tokenExpiresAt, resourcesExpireAt: resourcesExpireAt,
                lastError: decision.lastError, lastHTTPStatus: decision.httpStatus, errorClass: decision.errorClass,
                possibleDuplicate: decision.possibleDuplicate, replacesError: decision.replacesError,
                instructionsStatus: session == nil ? nil : (request?.inBranch == true ? .pending : .notNeeded)),
            ledgerSessionID: session?.response.sessionID,
            subject: request?.userTrackingID,
            label: nil
        )
    }
}
