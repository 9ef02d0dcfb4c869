import PostgresClient
import YotiAPI
import YotiClient

/// In-Branch follow-through, second step: `PUT /sessions/{id}/instructions` for `configured` rows → `sent`.
///
/// The body is prepared locally (``InstructionsPlan``): instruction data that is wrong, or a document no
/// requirement accepts, fails the step with the reason and sends nothing. A PUT replaces the session's
/// instructions, so the retry after an unknown outcome does not leave two sets behind.
///
/// With letters by email, a session that does not subscribe to `INSTRUCTIONS_EMAIL_REQUESTED` is done
/// here (`sent → emailed` at once): Yoti emails the letter itself when the instructions are put, and a
/// `POST …/instructions/email` on top would send the applicant a second one. A subscribed session goes on
/// to ``LetterStep``, which asks for the email.
struct PutInstructionsStep: RemoteStep {
    /// What the claim reads from a row.
    struct Work: Sendable {
        var sessionID: String
        var instructions: JSONValue?
        var defaults: JSONValue?
        var requirements: [IBVRequirement]
        /// The spec subscribes to `INSTRUCTIONS_EMAIL_REQUESTED`: the client asks for the letter email.
        var emailOnRequest: Bool
    }

    /// The prepared call.
    struct Request: Sendable {
        var sessionID: String
        var body: JSONValue
    }

    let client: any InstructionsSending
    /// How letters are delivered: with `.email`, unsubscribed sessions end `emailed` here.
    var delivery: LetterDelivery = .email

    var operation: StepOperation { .putIBVInstructions }
    var successOutcome: String { "sent" }
    var successMessage: String { "Instructions sent" }
    var waitsForRetries: Bool { true }

    static let statementParts = FollowThroughStepSQL.parts(
        waitingAt: "configured",
        claimReturning: """
            r.ibv_instructions::text AS ibv_instructions, r.ibv_requirements::text AS ibv_requirements,
                       (SELECT sc.ibv_defaults::text FROM idv.session_configs sc WHERE sc.name = r.config_name)
                           AS ibv_defaults,
                       coalesce(r.session_spec -> 'notifications' -> 'topics',
                                (SELECT sc.spec -> 'notifications' -> 'topics' FROM idv.session_configs sc
                                 WHERE sc.name = r.config_name))
                           @> '["INSTRUCTIONS_EMAIL_REQUESTED"]'::jsonb AS email_on_request
            """)

    var sql: StepSQL { Self.statementParts }

    func work(from row: PostgresRow) throws -> Work {
        let requirements = try row.decode(String?.self, "ibv_requirements").map { try JSONValue(jsonString: $0) }
        return Work(
            sessionID: try row.decode(String.self, "session_id"),
            instructions: try row.decode(String?.self, "ibv_instructions").map { try JSONValue(jsonString: $0) },
            defaults: try row.decode(String?.self, "ibv_defaults").map { try JSONValue(jsonString: $0) },
            requirements: (requirements?.arrayValue ?? []).compactMap(IBVRequirement.init(stored:)),
            emailOnRequest: try row.decode(Bool?.self, "email_on_request") ?? false)
    }

    func request(for claim: Claim<Work>) -> StepPreparation<Request, Void> {
        let work = claim.work
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
        -> StepRecord
    {
        // Yoti emailed the letter when it accepted the instructions: nothing left for the letter step.
        let next = delivery == .email && !claim.work.emailOnRequest ? "emailed" : "sent"
        return StepRecord(
            row: FollowThroughRecord.common(decision, next: next), ledgerSessionID: claim.work.sessionID,
            subject: nil,
            label: nil)
    }
}
