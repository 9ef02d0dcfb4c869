import PostgresClient
import YotiAPI
import YotiClient

/// In-Branch follow-through, second step: `PUT /sessions/{id}/instructions` for `configured` rows → `sent`.
///
/// The body is prepared locally (``InstructionsPlan``): instruction data that is wrong, or a document no
/// requirement accepts, fails the step with the reason and sends nothing. A PUT replaces the session's
/// instructions, so the retry after an unknown outcome does not leave two sets behind.
///
/// The PUT emails nobody (Yoti: it "will just return a null body"): the letter is the next step's. With
/// letters by email, a session subscribing to `INSTRUCTIONS_EMAIL_REQUESTED` (Yoti's email revoked) is
/// refused here, before anything is sent (``RequestEmailStep/emailRevoked``).
struct PutInstructionsStep: FollowThroughStep {
    /// What the claim reads from a row.
    struct Work: Sendable {
        var sessionID: String
        var instructions: JSONValue?
        var defaults: JSONValue?
        var requirements: [IBVRequirement]
        /// The spec subscribes to `INSTRUCTIONS_EMAIL_REQUESTED`: Yoti will not email the letter.
        var emailRevoked: Bool
    }

    /// The prepared call.
    struct Request: Sendable {
        var sessionID: String
        var body: JSONValue
    }

    let client: any InstructionsSending
    /// How letters are delivered: with `.email`, sessions whose email Yoti revoked are refused here.
    var delivery: LetterDelivery = .email

    var operation: StepOperation { .putIBVInstructions }
    var successOutcome: String { InstructionsStatus.sent.rawValue }
    var successMessage: String { "Instructions sent" }
    var waitsForRetries: Bool { true }

    static let statementParts = FollowThroughStepSQL.parts(
        waitingAt: .configured,
        claimReturning: """
            r.ibv_instructions::text AS ibv_instructions, r.ibv_requirements::text AS ibv_requirements,
                       (SELECT sc.ibv_defaults::text FROM idv.session_configs sc WHERE sc.name = r.config_name)
                           AS ibv_defaults,
                       \(FollowThroughStepSQL.emailRevoked)
            """)

    var sql: StepSQL { Self.statementParts }

    func work(from row: PostgresRow) throws -> Work {
        let requirements = try row.decode(String?.self, "ibv_requirements").map { try JSONValue(jsonString: $0) }
        return Work(
            sessionID: try row.decode(String.self, "session_id"),
            instructions: try row.decode(String?.self, "ibv_instructions").map { try JSONValue(jsonString: $0) },
            defaults: try row.decode(String?.self, "ibv_defaults").map { try JSONValue(jsonString: $0) },
            requirements: (requirements?.arrayValue ?? []).compactMap(IBVRequirement.init(stored:)),
            emailRevoked: try row.decode(Bool?.self, "email_revoked") ?? false)
    }

    func request(for claim: Claim<Work>) -> StepPreparation<Request, Void> {
        let work = claim.work
        if delivery == .email && work.emailRevoked {
            return .finished(.failed(.invalidSpec, CallFailure(message: RequestEmailStep.emailRevoked)))
        }
        switch InstructionsPlan.body(
            instructions: work.instructions, defaults: work.defaults, requirements: work.requirements)
        {
        case .body(let body):
            return .ready(Request(sessionID: work.sessionID, body: body))
        case .invalid(let problems):
            return .finished(
                .failed(
                    .invalidSpec,
                    CallFailure(
                        message: "invalid In-Branch instructions (nothing sent): " + problems.joined(separator: "; "))))
        }
    }

    func send(_ request: Request) async -> StepOutcome<Void> {
        do {
            try await client.putInstructions(sessionID: request.sessionID, request.body)
            return .succeeded((), .init(httpStatus: 200))
        } catch {
            return StepOutcome(error: error)
        }
    }

    func record(
        _ decision: RetryPolicy.Decision, of outcome: StepOutcome<Void>, for claim: Claim<Work>, request: Request?
    )
        -> StepRecord<FollowThroughRecord>
    {
        StepRecord(
            row: FollowThroughRecord(decision, next: .sent), ledgerSessionID: claim.work.sessionID,
            subject: nil,
            label: nil)
    }
}
