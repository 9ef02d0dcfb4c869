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
struct LetterStep: FollowThroughStep {
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

    /// The row's new values: the common part and the letter's facts when one was delivered.
    struct Row: WriteBackRow {
        var common: FollowThroughRecord
        var letterPath: String?
        var letterBytes: Int64?
        var letterSHA256: String?
        /// A letter (or Yoti's "no letter") was recorded: the letter columns are replaced.
        var delivered: Bool

        static let columns: [WriteBackColumn<Self>] =
            FollowThroughRecord.columns.map { column in column.lifted { $0.common } } + [
                .text("letter_path") { $0.letterPath }, .bigint("letter_bytes") { $0.letterBytes },
                .text("letter_sha256") { $0.letterSHA256 }, .boolean("delivered") { $0.delivered },
            ]
    }

    let client: any InstructionsSending
    /// The letters directory (`--letters DIR`).
    let directory: URL

    var operation: StepOperation { .ibvLetter }
    var successOutcome: String { InstructionsStatus.letterSaved.rawValue }
    var successMessage: String { "Letter saved" }
    var waitsForRetries: Bool { true }

    static let statementParts = FollowThroughStepSQL.parts(
        waitingAt: .sent, claimReturning: "r.external_ref", columns: Row.sqlColumns,
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
        -> StepRecord<Row>
    {
        var row = Row(common: FollowThroughRecord(decision, next: .letterSaved), delivered: false)
        if case .succeeded(let delivered, _) = outcome {
            row.delivered = true
            switch delivered {
            case .saved(let saved):
                row.letterPath = saved.path
                row.letterBytes = Int64(saved.bytes)
                row.letterSHA256 = saved.sha256
            case .noLetter: row.letterBytes = 0
            }
        }
        return StepRecord(
            row: row,
            ledgerSessionID: claim.work.sessionID,
            subject: nil, label: nil)
    }
}
