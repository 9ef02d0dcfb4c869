import PostgresClient
import YotiAPI
import YotiClient

/// `sync`'s step: `GET /sessions/{id}` for rows ``ResultSync`` marked as wanting a result
/// (`result_priority`: 0 notified, 1 stale), notified first; writes `remote_state`, `result_checked_at`,
/// `result_completed_at`, `result_outcome` and `result_recommendation`, and — in the same fenced
/// write-back — marks the session's notifications received before the call as processed. A 404 is a
/// success recorded as `NOT_FOUND` (final). A read: repeating it after a crash costs nothing.
struct SessionResultStep: RemoteStep {
    /// The row's new values.
    struct Row: WriteBackRow {
        /// Yoti's session state; `nil`: nothing fetched (keeps the row's result).
        var remoteState: String?
        /// The result's checks as JSON text.
        var resultOutcome: String?
        var resultRecommendation: String?
        /// No further fetch wanted (fetched, or given up).
        var done: Bool
        var attempts: Int
        var retryDelay: Duration?
        var resultError: String?
        var replacesError: Bool

        static let columns: [WriteBackColumn<Self>] = [
            .text("remote_state") { $0.remoteState }, .jsonb("result_outcome") { $0.resultOutcome },
            .text("result_recommendation") { $0.resultRecommendation }, .boolean("done") { $0.done },
            .integer("attempts") { $0.attempts }, .seconds("retry_delay") { $0.retryDelay },
            .text("result_error") { $0.resultError }, .boolean("replaces_error") { $0.replacesError },
        ]
    }

    let fetcher: any SessionResultFetching

    var operation: StepOperation { .sessionResult }
    var successOutcome: String { "fetched" }
    var successMessage: String { "Session result fetched" }
    var waitsForRetries: Bool { true }

    static let statementParts = StepSQL(
        runnable: "r.result_priority IS NOT NULL AND r.session_id IS NOT NULL",
        dueColumn: "result_next_at",
        // The (result_priority, id) WHERE result_priority IS NOT NULL index (0009): notified rows first.
        claimOrder: "r.result_priority, r.id",
        claimReturning: "r.session_id, r.result_attempts AS counted_attempts",
        // A worker that died mid-call: count the attempt, and give the row up after the maximum.
        releaseAssignments: """
            result_attempts = r.result_attempts + 1,
                    result_priority = CASE WHEN r.result_attempts + 1 >= p.max_attempts THEN NULL ELSE r.result_priority END,
                    result_error = 'worker ' || coalesce(r.lease_owner, '?') || ' stopped mid-call; fetched again next time',
            """,
        releasedFailed: "r.result_priority IS NULL",
        // Reading results of a paused batch spends nothing but calls; a pause still holds them, as it holds
        // every step that calls Yoti for a batch's rows.
        rowColumns: Row.sqlColumns,
        rowAssignments: """
            remote_state = coalesce(u.remote_state, r.remote_state),
                    result_checked_at = CASE WHEN u.remote_state IS NULL THEN r.result_checked_at
                        ELSE (SELECT a.started_at FROM idv.attempts a WHERE a.id = u.attempt_id) END,
                    result_completed_at = CASE WHEN u.remote_state = 'COMPLETED' THEN coalesce(r.result_completed_at, now())
                        ELSE r.result_completed_at END,
                    result_outcome = CASE WHEN u.remote_state IS NULL OR u.remote_state = '\(SessionResult.notFound)'
                        THEN r.result_outcome ELSE u.result_outcome END,
                    result_recommendation = CASE WHEN u.remote_state IS NULL OR u.remote_state = '\(SessionResult.notFound)'
                        THEN r.result_recommendation ELSE u.result_recommendation END,
                    result_priority = CASE WHEN u.done THEN NULL ELSE r.result_priority END,
                    result_attempts = u.attempts,
                    result_next_at = CASE WHEN u.done THEN NULL
                        WHEN u.retry_delay IS NULL THEN r.result_next_at
                        ELSE now() + make_interval(secs => u.retry_delay) END,
                    result_error = CASE WHEN u.replaces_error THEN u.result_error ELSE r.result_error END
            """,
        // The session's notifications received before this call was claimed are answered by it; one received
        // later (during the call) stays waiting for the next sync.
        writeBackSideEffects: """
            , processed AS (
                UPDATE idv.notifications n
                SET processed_at = now()
                FROM upd
                JOIN u ON u.request_id = upd.id
                JOIN idv.attempts a ON a.id = u.attempt_id
                WHERE u.remote_state IS NOT NULL
                  AND n.session_id = upd.session_id
                  AND (n.processed_at IS NULL OR n.processed_at < n.last_received_at)
                  AND n.last_received_at <= a.started_at
                RETURNING n.id
            )
            """
    )

    var sql: StepSQL { Self.statementParts }

    func work(from row: PostgresRow) throws -> String {
        try row.decode(String.self, "session_id")
    }

    func request(for claim: Claim<String>) -> StepPreparation<String, SessionResult> {
        .ready(claim.work)
    }

    func send(_ sessionID: String) async -> StepOutcome<SessionResult> {
        do {
            let json = try await fetcher.getSession(id: sessionID)
            return .succeeded(SessionResult(json: json), .init(httpStatus: 200))
        } catch let error as YotiAPIError where error.status == 404 {
            return .succeeded(
                SessionResult(state: SessionResult.notFound, checks: []),
                .init(httpStatus: 404, yotiRequestID: error.requestID))
        } catch {
            return StepOutcome(error: error)
        }
    }

    func record(
        _ decision: RetryPolicy.Decision, of outcome: StepOutcome<SessionResult>, for claim: Claim<String>,
        request: String?
    ) -> StepRecord<Row> {
        var result: SessionResult?
        if decision.disposition == .succeeded, case .succeeded(let fetched, _) = outcome { result = fetched }
        let done = decision.disposition == .succeeded || decision.disposition == .failed
        let label: String? = result.map { result in
            result.recommendation.map { "\(result.state):\($0)" } ?? result.state
        }
        return StepRecord(
            row: Row(
                remoteState: result?.state, resultOutcome: result.map { $0.outcomeJSON.jsonString() },
                resultRecommendation: result?.recommendation, done: done,
                attempts: decision.disposition == .succeeded ? 0 : decision.attempts, retryDelay: decision.retryDelay,
                resultError: decision.disposition == .succeeded ? nil : decision.lastError,
                replacesError: decision.replacesError),
            ledgerSessionID: claim.work, subject: nil,
            label: decision.disposition == .failed ? "failed" : label)
    }
}
