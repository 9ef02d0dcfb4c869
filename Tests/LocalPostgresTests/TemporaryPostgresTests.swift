import Foundation
import LocalPostgres
import PostgresClient
import TestSupport
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

    @Test("restart drops every connection and brings the server back on the same port with its data")
    func restartKeepsPortAndData() async throws {
        let server = try await TemporaryPostgres.start(maxConnections: 20)
        let tcp = try PostgresConfiguration(server.tcpConnectionString)
        let before = try await PostgresConnection.connect(tcp)
        // Durable commits: an immediate stop is a crash, and throwaway clusters commit asynchronously.
        try await before.executeScript(
            "SET synchronous_commit = on; CREATE TABLE survives (n int); INSERT INTO survives VALUES (42)")
        try await server.restart(downtime: .milliseconds(200))
        await #expect(throws: PostgresError.self) { try await before.query("SELECT 1") }
        await before.close()
        try await withConnection(tcp) { connection throws in
            let rows = try await connection.query("SELECT n, current_setting('port')::int AS port FROM survives")
            #expect(try rows[0].decode(Int.self, "n") == 42)
            #expect(try rows[0].decode(Int.self, "port") == server.port)
        }
        await server.stop()
    }
}
