import Foundation
import PostgresClient
import YotiClient

/// The create step's claim statement, usable on its own: `idv-batch bench` times it against a large
/// history and shows its plan, so the figure measures exactly what `run` sends.
package struct ClaimProbe: Sendable {
    private let claimer: StepClaimer<CreateSessionStep>

    /// The statement a claim sends (its parameters: ``ClaimParameter``).
    package static var statement: String { StepStatements(CreateSessionStep.statementParts).claim }

    /// A probe claiming rows of `batches` for `workerID`, with a two-minute lease and no run id.
    package init(database: any RunnerDatabase, batches: [String], workerID: String) {
        claimer = StepClaimer(
            step: CreateSessionStep(catalog: SpecCatalog(configurations: [:]), sessions: NoSessions()),
            statements: StepStatements(CreateSessionStep.statementParts), database: database, batches: batches,
            workerName: workerID, workerID: nil, leaseDuration: .seconds(120), runID: nil, clock: .system)
    }

    /// Claims up to `limit` due rows (leasing them and opening their ledger attempts, as `run` does).
    /// - Returns: how many rows were claimed.
    /// - Throws: `PostgresError`.
    package func claim(limit: Int) async throws -> Int {
        try await claimer.claim(limit: limit).count
    }

    /// The parameters ``statement`` takes for a claim of `limit` rows, for `EXPLAIN`.
    package func parameters(limit: Int) -> [PostgresValue] {
        claimer.parameters(limit: limit)
    }

    /// The probe only claims; it never calls Yoti.
    private struct NoSessions: SessionCreating {
        func attemptSession(body: [UInt8]) async -> StepOutcome<YotiClient.CreatedSession> {
            .notSent(reason: "a claim probe makes no calls")
        }
    }
}
