import Foundation
import PostgresClient
import YotiAPI
import YotiClient

/// In-Branch follow-through, last step with `--letters DIR`: `GET /sessions/{id}/instructions/pdf` for `sent`
/// rows → `letter_saved` (size, SHA-256, path; a 204 is recorded as no letter: 0 bytes, no path). The firm's
/// own mailer delivers it (``RequestEmailStep`` is the step with `--letters email`).
///
/// Saving is atomic, so a crash mid-step leaves the row `sent` and the letter is fetched again; a GET
/// repeated costs nothing. A failed save (disk full, permissions) is retried like a transient error. A row
/// whose session was notified of a new letter is put back to `sent` and fetched again
/// (``FollowThrough/requeueNotifiedLetters(database:batches:)``): the new letter replaces the old atomically.
struct LetterStep: RemoteStep {
    /// What the claim reads.
    struct Work: Sendable, Hashable {
        var sessionID: String
        var batchID: String
        var externalRef: String
    }

    /// What was done.
    enum Delivered: Sendable, Hashable {
        case saved(LetterStore.Saved)
        case noLetter
    }

    let client: any InstructionsSending
    /// The letters directory (`--letters DIR`).
    let directory: URL

    var operation: StepOperation { .ibvLetter }
    var successOutcome: String { "letter_saved" }
    var successMessage: String { "Letter saved" }
    var waitsForRetries: Bool { true }

    static let statementParts = FollowThroughStepSQL.parts(
        waitingAt: "sent", claimReturning: "r.external_ref",
        extraColumns: [
            .init(name: "letter_path", type: "text"), .init(name: "letter_bytes", type: "bigint"),
            .init(name: "letter_sha256", type: "text"), .init(name: "delivered", type: "boolean"),
        ],
        extraAssignments: """
            letter_path = CASE WHEN u.delivered THEN u.letter_path ELSE r.letter_path END,
                    letter_bytes = CASE WHEN u.delivered THEN u.letter_bytes ELSE r.letter_bytes END,
                    letter_sha256 = CASE WHEN u.delivered THEN u.letter_sha256 ELSE r.letter_sha256 END,
                    letter_saved_at = CASE WHEN u.delivered THEN now() ELSE r.letter_saved_at END
            """)

    var sql: StepSQL { Self.statementParts }

    func work(from row: PostgresRow) throws -> Work {
        Work(
            sessionID: try row.decode(String.self, "session_id"), batchID: try row.decode(String.self, "batch_id"),
            externalRef: try row.decode(String.self, "external_ref"))
    }

    func request(for claim: Claim<Work>) -> StepPreparation<Work, Delivered> {
        .ready(claim.work)
    }

    func send(_ work: Work) async -> StepOutcome<Delivered> {
        do {
            guard let letter = try await client.instructionsPDF(sessionID: work.sessionID) else {
                return .succeeded(.noLetter, .init(httpStatus: 204))
            }
            do {
                let saved = try LetterStore(directory: directory).save(
                    letter, batch: work.batchID, externalRef: work.externalRef)
                return .succeeded(.saved(saved), .init(httpStatus: 200))
            } catch {
                return .failed(
                    .transient, CallFailure(httpStatus: 200, message: "letter fetched but not saved: \(error)"))
            }
        } catch {
            return StepOutcome(error: error)
        }
    }

    func record(
        _ decision: RetryPolicy.Decision, of outcome: StepOutcome<Delivered>, for claim: Claim<Work>, request: Work?
    )
        -> StepRecord
    {
        var facts: [String?] = [nil, nil, nil, "false"]
        if case .succeeded(let delivered, _) = outcome {
            switch delivered {
            case .saved(let saved): facts = [saved.path, String(saved.bytes), saved.sha256, "true"]
            case .noLetter: facts = [nil, "0", nil, "true"]
            }
        }
        return StepRecord(
            row: FollowThroughRecord.common(decision, next: "letter_saved") + facts,
            ledgerSessionID: claim.work.sessionID,
            subject: nil, label: nil)
    }
}
