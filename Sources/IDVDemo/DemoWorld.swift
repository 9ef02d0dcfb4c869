import Foundation
import IDVCommands
import LocalPostgres
import Logging
import PostgresClient
import YotiAPI
import YotiClient
import YotiSandbox

/// Everything the demo starts, and stops again: a throwaway PostgreSQL, the local Yoti sandbox, a key
/// pair made for this demo only, and the clients that talk to them.
final class DemoWorld: Sendable {
    static let sdkID = "demo-sdk-id"

    let postgres: TemporaryPostgres
    let pool: PostgresPool
    let sandbox: YotiSandbox
    let idvClient: IDVClient
    let signClient: YotiSignClient

    private init(
        postgres: TemporaryPostgres, pool: PostgresPool, sandbox: YotiSandbox, idvClient: IDVClient,
        signClient: YotiSignClient
    ) {
        self.postgres = postgres
        self.pool = pool
        self.sandbox = sandbox
        self.idvClient = idvClient
        self.signClient = signClient
    }

    /// Starts the database and the sandbox; on failure stops whatever had started.
    /// - Throws: ``CommandFailure`` (exit 2) when the PostgreSQL server binaries are missing, naming the
    ///   package to install; other startup errors as they come.
    static func start(behaviour: SandboxBehaviour, concurrency: Int, logger: Logger) async throws -> DemoWorld {
        let postgres: TemporaryPostgres
        do {
            postgres = try await TemporaryPostgres.start(maxConnections: 50)
        } catch let error as TemporaryPostgresError where error.code == .binariesNotFound {
            throw CommandFailure(
                exitCode: 2,
                message:
                    "The demo needs a PostgreSQL server installation (initdb, pg_ctl and postgres; no server needs "
                    + "to be running). Install it with `sudo apt-get install -y postgresql` (Debian/Ubuntu) or "
                    + "`brew install postgresql@16` (macOS). \(error.message)")
        }
        do {
            // A key pair made for this demo only: nothing secret is read from disk, nothing is left behind.
            let key = try YotiPrivateKey(
                pemRepresentation: try YotiPrivateKey.generatePEM(),
                source: "<demo key>")
            let signAPIKey = "demo-sign-" + UUID().uuidString
            let sandbox = try YotiSandbox(
                configuration: SandboxConfiguration(
                    applications: [SandboxApplication(sdkID: sdkID, publicKey: YotiPublicKey(privateKey: key))],
                    signAPIKeys: [signAPIKey],
                    behaviour: behaviour))
            try await sandbox.start()
            let pool = PostgresPool(configuration: postgres.configuration, maxConnections: 8)
            let idvClient = try IDVClient(
                baseURL: sandbox.idvBaseURL, sdkID: sdkID, key: key,
                options: IDVClient.Options(requestTimeout: .seconds(10), maxConnections: concurrency), logger: logger)
            let signClient = try YotiSignClient(baseURL: sandbox.signBaseURL, apiKey: signAPIKey, logger: logger)
            return DemoWorld(
                postgres: postgres, pool: pool, sandbox: sandbox, idvClient: idvClient, signClient: signClient)
        } catch {
            await postgres.stop()
            throw error
        }
    }

    /// Stops the clients, the sandbox and the database, and deletes the database's files.
    func stop() async {
        try? await idvClient.shutdown()
        try? await signClient.shutdown()
        await sandbox.shutdown()
        await pool.shutdown()
        await postgres.stop()
    }
}
