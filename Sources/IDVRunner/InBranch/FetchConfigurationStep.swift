import PostgresClient
import YotiAPI
import YotiClient

/// In-Branch follow-through, first step: `GET /sessions/{id}/configuration` for a created In-Branch
/// session (`instructions_status = 'pending'`), storing its requirements in `ibv_requirements` →
/// `configured`. A read: repeating it after a crash costs nothing.
struct FetchConfigurationStep: FollowThroughStep {
    /// The row's new values: the common part and the requirements fetched.
    struct Row: WriteBackRow {
        var common: FollowThroughRecord
        /// The requirements as JSON text; `nil` keeps the row's.
        var requirements: String?

        static let columns: [WriteBackColumn<Self>] =
            FollowThroughRecord.columns.map { column in column.lifted { $0.common } } + [
                .jsonb("ibv_requirements") { $0.requirements }
            ]
    }

    let client: any InstructionsSending

    var operation: StepOperation { .fetchIBVConfiguration }
    var successOutcome: String { InstructionsStatus.configured.rawValue }
    var successMessage: String { "Session configuration fetched" }
    var waitsForRetries: Bool { true }

    static let statementParts = FollowThroughStepSQL.parts(
        waitingAt: .pending, claimReturning: "r.external_ref", columns: Row.sqlColumns,
        extraAssignments: "ibv_requirements = coalesce(u.ibv_requirements, r.ibv_requirements)")

    var sql: StepSQL { Self.statementParts }

    func work(from row: PostgresRow) throws -> String {
        try row.decode(String.self, "session_id")
    }

    func request(for claim: Claim<String>) -> StepPreparation<String, [IBVRequirement]> {
        .ready(claim.work)
    }

    func send(_ sessionID: String) async -> StepOutcome<[IBVRequirement]> {
        do {
            let configuration = try await client.getSessionConfiguration(id: sessionID)
            return .succeeded(IBVRequirement.list(fromConfiguration: configuration), .init(httpStatus: 200))
        } catch {
            return StepOutcome(error: error)
        }
    }

    func record(
        _ decision: RetryPolicy.Decision, of outcome: StepOutcome<[IBVRequirement]>, for claim: Claim<String>,
        request: String?
    ) -> StepRecord<Row> {
        var requirements: String?
        if case .succeeded(let list, _) = outcome { requirements = JSONValue.array(list.map(\.json)).jsonString() }
        return StepRecord(
            row: Row(common: FollowThroughRecord(decision, next: .configured), requirements: requirements),
            ledgerSessionID: claim.work, subject: nil, label: nil)
    }
}
