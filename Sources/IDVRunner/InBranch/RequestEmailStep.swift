import PostgresClient
import YotiAPI
import YotiClient

/// In-Branch follow-through, last step with `--letters email`: `POST /sessions/{id}/instructions/email` for
/// `sent` rows → `emailed`. Yoti emails the letter to the contact profile's address when asked (the PUT alone
/// emails nobody), so `emailed` counts email requests Yoti accepted.
///
/// Its own operation in the ledger (`ibv_email`): asked once per row; a transient failure is retried; after
/// an unknown outcome (the request may have reached Yoti) the retry is flagged `possible_duplicate`, as for
/// every step. A session subscribing to `INSTRUCTIONS_EMAIL_REQUESTED` has Yoti's email revoked (Yoti would
/// notify the firm instead): such a row is refused with ``emailRevoked`` and nothing is sent.
struct RequestEmailStep: FollowThroughStep {
    /// What the claim reads.
    struct Work: Sendable, Hashable {
        var sessionID: String
        var emailRevoked: Bool
    }

    /// Why a row cannot have its letter emailed: the same words at `enqueue`, `--dry-run` and the run.
    static let emailRevoked =
        "the session subscribes to INSTRUCTIONS_EMAIL_REQUESTED, so Yoti emails nobody (it notifies you "
        + "instead): deliver the letter yourself with --letters DIR (saved for your mailer), or remove the topic "
        + "from the spec's notifications.topics"

    let client: any InstructionsSending

    var operation: StepOperation { .ibvEmail }
    var successOutcome: String { InstructionsStatus.emailed.rawValue }
    var successMessage: String { "Letter email requested" }
    var waitsForRetries: Bool { true }

    static let statementParts = FollowThroughStepSQL.parts(
        waitingAt: .sent, claimReturning: FollowThroughStepSQL.emailRevoked,
        extraAssignments: """
            letter_saved_at = CASE WHEN u.instructions_status = '\(InstructionsStatus.emailed)' THEN now()
                        ELSE r.letter_saved_at END
            """)

    var sql: StepSQL { Self.statementParts }

    func work(from row: PostgresRow) throws -> Work {
        Work(
            sessionID: try row.decode(String.self, "session_id"),
            emailRevoked: try row.decode(Bool?.self, "email_revoked") ?? false)
    }

    func request(for claim: Claim<Work>) -> StepPreparation<String, Void> {
        guard !claim.work.emailRevoked else {
            return .finished(.failed(.invalidSpec, CallFailure(message: Self.emailRevoked)))
        }
        return .ready(claim.work.sessionID)
    }

    func send(_ sessionID: String) async -> StepOutcome<Void> {
        do {
            try await client.requestInstructionsEmail(sessionID: sessionID)
            return .succeeded((), .init(httpStatus: 200))
        } catch {
            return StepOutcome(error: error)
        }
    }

    func record(
        _ decision: RetryPolicy.Decision, of outcome: StepOutcome<Void>, for claim: Claim<Work>, request: String?
    ) -> StepRecord<FollowThroughRecord> {
        StepRecord(
            row: FollowThroughRecord(decision, next: .emailed), ledgerSessionID: claim.work.sessionID,
            subject: nil, label: nil)
    }
}
