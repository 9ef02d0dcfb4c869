import PostgresClient

/// `DELETE /sessions/{id}` for the rows purge (their `yoti_sessions` period passed) or erase asked to have
/// deleted (`remote_delete_requested_at`): the expiry sweep's ``DeleteSessionStep`` with its own selection.
/// A session whose checks are unfinished (409, or known ONGOING with unfinished checks) stays requested and is
/// tried again by the next purge; it is never forced.
struct PurgeSessionStep: RemoteStep {
    let delete: DeleteSessionStep

    var operation: StepOperation { delete.operation }
    var successOutcome: String { delete.successOutcome }
    var successMessage: String { delete.successMessage }
    var waitsForRetries: Bool { false }

    static let statementParts: StepSQL = {
        var parts = DeleteSessionStep.statementParts
        // The (id) WHERE remote_delete_requested_at IS NOT NULL AND session_id IS NOT NULL AND remote_deleted_at
        // IS NULL index (0013).
        parts.runnable = """
            r.remote_delete_requested_at IS NOT NULL AND r.session_id IS NOT NULL AND r.remote_deleted_at IS NULL
                  AND r.status IN ('expired', 'cancelled', 'failed', 'created')
                  AND r.remote_delete_status IS DISTINCT FROM '\(RemoteDeleteOutcome.failed.status)'
                  AND NOT \(SessionResult.ongoingWithUnfinishedChecks)
            """
        return parts
    }()

    var sql: StepSQL { Self.statementParts }

    func work(from row: PostgresRow) throws -> String { try delete.work(from: row) }

    func request(for claim: Claim<String>) -> StepPreparation<String, RemoteDeleteOutcome> {
        delete.request(for: claim)
    }

    func send(_ sessionID: String) async -> StepOutcome<RemoteDeleteOutcome> { await delete.send(sessionID) }

    func record(
        _ decision: RetryPolicy.Decision, of outcome: StepOutcome<RemoteDeleteOutcome>, for claim: Claim<String>,
        request: String?
    ) -> StepRecord<DeleteSessionStep.Row> {
        delete.record(decision, of: outcome, for: claim, request: request)
    }
}
