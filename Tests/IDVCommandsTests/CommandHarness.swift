import Foundation
import LocalPostgres
import PostgresClient
import TestSupport
import YotiAPI
import YotiSandbox

/// One world for `idv-batch` processes: a fresh migrated database and the sandbox on loopback,
/// accepting the SDK test key and a Yoti Sign API key, with what a test needs to start a command
/// against both and to read what it did. (IDVRunnerTests' RunnerHarness also drives the runner in
/// process; the commands' tests only need the processes.)
final class CommandHarness: Sendable {
    static let sdkID = "command-test-sdk"
    /// The Yoti Sign API key the sandbox accepts.
    static let signKey = "sign-test-key-5b1e"

    /// A spec the validator accepts (ttl 900 s → the sandbox answers 899).
    let database: MigratedDatabase
    let sandbox: YotiSandbox

    var postgres: PostgresConfiguration { database.configuration }
    var pool: PostgresPool { database.pool }

    private init(database: MigratedDatabase, sandbox: YotiSandbox) {
        self.database = database
        self.sandbox = sandbox
    }

    /// Runs `body` with a new database and sandbox and tears both down afterwards.
    /// - Parameter sandboxAcceptsKey: `false` makes the sandbox expect a different key, so every call is a 401.
    static func with<Result: Sendable>(
        behaviour: SandboxBehaviour = .healthy,
        sandboxAcceptsKey: Bool = true,
        _ body: (CommandHarness) async throws -> Result
    ) async throws -> Result {
        try await MigratedDatabase.with { database in
            let application =
                sandboxAcceptsKey
                ? try SandboxApplication(sdkID: sdkID, keyFile: SharedPaths.ownerOnlyTestKey)
                : try SandboxApplication.unmatchable(sdkID: sdkID)
            let sandbox = try YotiSandbox(
                configuration: SandboxConfiguration(
                    applications: [application], signAPIKeys: [signKey], behaviour: behaviour))
            try await sandbox.start()
            let outcome: Swift.Result<Result, any Error>
            do {
                outcome = .success(try await body(CommandHarness(database: database, sandbox: sandbox)))
            } catch {
                outcome = .failure(error)
            }
            await sandbox.shutdown()
            return try outcome.get()
        }
    }

    /// Starts `idv-batch run --batch <batch> …` against this database and sandbox (`overrides` replace
    /// environment variables).
    func startRun(
        batch: String, arguments: [String] = [], name: String = "run", environment overrides: [String: String] = [:]
    ) throws -> SpawnedProcess {
        try IDVBatchProcess.startRun(
            batch: batch, databaseURL: postgres.unredactedConnectionString, apiURL: sandbox.idvBaseURL,
            sdkID: Self.sdkID, keyPath: SharedPaths.ownerOnlyTestKey, arguments: arguments, name: name,
            environment: overrides)
    }

    /// Inserts `count` rows `ref-1 … ref-count` into `batch`, each with a full spec (or `spec`).
    func enqueue(batch: String, count: Int, spec: JSONValue = TestSessionSpec.valid) async throws {
        try await pool.execute(
            """
            INSERT INTO idv.verification_requests (batch_id, external_ref, session_spec)
            SELECT $1, 'ref-' || g, $2::jsonb FROM generate_series(1, $3::int) AS g
            """,
            [.text(batch), .jsonb(spec.jsonString()), .int(count)])
    }

    /// Rows of the batch per status.
    func statusCounts(batch: String) async throws -> [String: Int] {
        var counts: [String: Int] = [:]
        for row in try await pool.query(
            "SELECT status, count(*) AS n FROM idv.verification_requests WHERE batch_id = $1 GROUP BY status",
            [.text(batch)])
        {
            counts[try row.decode(String.self, "status")] = try row.decode(Int.self, "n")
        }
        return counts
    }

    /// The outcome of every ledger attempt of the batch (`nil` while unfinished).
    func attemptOutcomes(batch: String) async throws -> [String?] {
        try await pool.query("SELECT outcome FROM idv.attempts WHERE batch_id = $1 ORDER BY id", [.text(batch)])
            .map { try $0.decode(String?.self, "outcome") }
    }

    /// The client session tokens written back to the batch's rows.
    func sessionTokens(batch: String) async throws -> [String] {
        try await pool.query(
            "SELECT client_session_token FROM idv.verification_requests WHERE batch_id = $1 ORDER BY id", [.text(batch)]
        ).compactMap { try $0.decode(String?.self, "client_session_token") }
    }

    /// A unique batch id for a test.
    static func batchID(_ name: String) -> String { "\(name)-\(UUID().uuidString.prefix(8))" }
}
