import Foundation
import PostgresClient
import YotiClient

/// `DELETE /sessions/{id}` for expired or cancelled rows whose session still exists at Yoti: `expire --delete-remote`
/// and `cancel --delete-remote`,
/// on the same engine as session creation (leases, shared rate limit, ledger, retries, rescue).
///
/// Writes `remote_delete_status`: `deleted`, `not_found` (404: already gone; counts as deleted) — both
/// stamp `remote_deleted_at`; `conflict` (409: the session's checks are unfinished) and `transient`
/// (5xx, 429, network, unknown outcome) are retried by the next sweep (``waitsForRetries`` is `false`: a
/// sweep tries each row once);
/// `failed` (another 4xx) is not retried automatically. Rejected credentials stop the sweep and leave the
/// row as it was.
struct DeleteSessionStep: RemoteStep {
    /// The row's new values.
    struct Row: WriteBackRow {
        /// `nil` keeps the row's.
        var remoteDeleteStatus: RemoteDeleteOutcome?
        /// The session is gone at Yoti: stamps `remote_deleted_at`.
        var gone: Bool
        /// Due again after this; `nil` keeps `next_attempt_at`.
        var retryDelay: Duration?

        static let columns: [WriteBackColumn<Self>] = [
            .text("remote_delete_status") { $0.remoteDeleteStatus?.status }, .boolean("gone") { $0.gone },
            .seconds("retry_delay") { $0.retryDelay },
        ]
    }

    let deleter: any SessionDeleting

    var operation: StepOperation { .deleteSession }
    var successOutcome: String { "deleted" }
    var successMessage: String { "Session deleted" }
    var waitsForRetries: Bool { false }

    static let statementParts = StepSQL(
        // The (id) WHERE status = 'expired' AND session_id IS NOT NULL AND remote_deleted_at IS NULL index (0003).
        // Cancelled rows that hold a session (`cancel --where-status created --delete-remote`) are deleted too.
        runnable: """
            r.status IN ('\(RequestStatus.expired)', '\(RequestStatus.cancelled)') AND r.session_id IS NOT NULL AND r.remote_deleted_at IS NULL
                  AND r.remote_delete_status IS DISTINCT FROM '\(RemoteDeleteOutcome.failed.status)'
                  AND NOT \(SessionResult.ongoingWithUnfinishedChecks)
            """,
        claimReturning: """
            r.session_id,
                       (SELECT count(*) FROM idv.attempts a
                        WHERE a.request_id = r.id AND a.operation = \(ClaimParameter.operation)) AS counted_attempts
            """,
        // Deleting costs nothing and only cleans up: a paused batch can still be cancelled and its sessions deleted.
        heldByPause: false,
        rowColumns: Row.sqlColumns,
        rowAssignments: """
            remote_delete_status = coalesce(u.remote_delete_status, r.remote_delete_status),
                    remote_deleted_at = CASE WHEN u.gone THEN now() ELSE r.remote_deleted_at END,
                    next_attempt_at = CASE WHEN u.retry_delay IS NULL THEN r.next_attempt_at
                        ELSE now() + make_interval(secs => u.retry_delay) END
            """
    )

    var sql: StepSQL { Self.statementParts }

    func work(from row: PostgresRow) throws -> String {
        try row.decode(String.self, "session_id")
    }

    func request(for claim: Claim<String>) -> StepPreparation<String, RemoteDeleteOutcome> {
        .ready(claim.work)
    }

    func send(_ sessionID: String) async -> StepOutcome<RemoteDeleteOutcome> {
        do {
            try await deleter.deleteSession(id: sessionID)
            return .succeeded(.deleted, .init(httpStatus: 204))
        } catch let error as YotiAPIError {
            switch error.status {
            case 404?:
                return .succeeded(.notFound, .init(httpStatus: 404, yotiRequestID: error.requestID))
            case 409?:
                // Not the request's fault: the session is still in use. Retry later, never fail the row for it.
                return .failed(.transient, CallFailure(error))
            default:
                return StepOutcome(error: error)
            }
        } catch {
            return StepOutcome(error: error)
        }
    }

    func record(
        _ decision: RetryPolicy.Decision, of outcome: StepOutcome<RemoteDeleteOutcome>, for claim: Claim<String>,
        request: String?
    ) -> StepRecord<Row> {
        var status: RemoteDeleteOutcome?
        // Whatever is left goes to the next sweep (a run tries a row once): due again at once.
        let retryDelay: Duration? = decision.disposition == .succeeded || decision.disposition == .failed ? nil : .zero
        switch (decision.disposition, outcome) {
        case (.succeeded, .succeeded(let gone, _)):
            status = gone
        case (.abortRun, _):
            status = nil
        case (.released, _):
            status = nil
        case (.failed, _):
            status = .failed
        case (.retryScheduled, .failed(_, let failure)) where failure.httpStatus == 409:
            status = .conflict
        default:
            status = .transient
        }
        return StepRecord(
            row: Row(remoteDeleteStatus: status, gone: status?.isGone == true, retryDelay: retryDelay),
            ledgerSessionID: claim.work,
            subject: nil,
            label: decision.disposition == .abortRun ? RemoteDeleteOutcome.credentials.status : status?.status
        )
    }
}
