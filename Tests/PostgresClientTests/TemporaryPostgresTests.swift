import Foundation
import PostgresClient
import Testing

@Suite("TemporaryPostgres")
struct TemporaryPostgresTests {
    @Test("starts a private fast cluster reachable by socket and TCP, and stop removes everything")
    func startAndStop() async throws {
        let server = try await TemporaryPostgres.start(maxConnections: 20)
        print("throwaway cluster start time: \(server.startupDuration) (initdb + start + ready)")
        let tcp = try PostgresConfiguration(server.tcpConnectionString)
        #expect(tcp.host == "127.0.0.1")
        for configuration in [server.configuration, tcp] {
            try await withConnection(configuration) { connection throws in
                let rows = try await connection.query(
                    "SELECT current_setting('fsync') AS fsync, current_setting('synchronous_commit') AS sc, "
                        + "current_setting('port')::int AS port, current_setting('max_connections')::int AS max")
                #expect(try rows[0].decode(String.self, "fsync") == "off")
                #expect(try rows[0].decode(String.self, "sc") == "off")
                #expect(try rows[0].decode(Int.self, "port") == server.port)
                #expect(try rows[0].decode(Int.self, "max") == 20)
            }
        }
        #expect(FileManager.default.fileExists(atPath: server.directory))
        await server.stop()
        #expect(!FileManager.default.fileExists(atPath: server.directory))
        await #expect(throws: PostgresError.self) { try await PostgresConnection.connect(tcp) }
        await server.stop()  // a second stop is harmless
    }
}
