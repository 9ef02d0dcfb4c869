import PostgresClient
import YotiAPI
import YotiClient

/// In-Branch follow-through, first step: `GET /sessions/{id}/configuration` for a created In-Branch
/// session (`instructions_status = 'pending'`), storing its requirements in `ibv_requirements` →
/// `configured`. A read: repeating it after a crash costs nothing.
struct FetchConfigurationStep: RemoteStep {
    let client: any InstructionsSending

    var operation: StepOperation { .fetchIBVConfiguration }
    var successOutcome: String { "configured" }
    var successMessage: String { "Session configuration fetched" }
    var waitsForRetries: Bool { true }

    static let statementParts = FollowThroughStepSQL.parts(
        waitingAt: "pending", claimReturning: "r.external_ref",
        extraColumns: [.init(name: "ibv_requirements", type: "jsonb")],
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
    ) -> StepRecord {
        var requirements: String?
        if case .succeeded(let list, _) = outcome { requirements = JSONValue.array(list.map(\.json)).jsonString() }
        return StepRecord(
            row: FollowThroughRecord.common(decision, next: "configured") + [requirements],
            ledgerSessionID: claim.work, subject: nil, label: nil)
    }
}
