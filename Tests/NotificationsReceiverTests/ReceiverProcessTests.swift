import AsyncHTTPClient
import Foundation
import LocalPostgres
import NIOCore
import PostgresClient
import TestSupport
import Testing

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// `idv-batch notifications serve` as operators run it: the built executable as a child process.
@Suite("Notifications receiver: the command", .timeLimit(.minutes(5)))
struct ReceiverProcessTests {
    static let token = "process-token-0c7f31e5a9d2"

    @Test("serve stores a notification, logs no token, and exits 0 on SIGTERM after finishing")
    func serveAndStopGracefully() async throws {
        try await MigratedDatabase.with { database in
            let environment = IDVBatchProcess.environment([
                "DATABASE_URL": database.configuration.unredactedConnectionString,
                "IDV_NOTIFICATIONS_TOKEN": Self.token,
            ])
            let process = try IDVBatchProcess.launch(
                ["notifications", "serve", "--port", "0", "--log-format", "json", "--log-level", "debug"],
                environment: environment, name: "receiver")
            let port = try await Self.listeningPort(process)
            var request = HTTPClientRequest(url: "http://127.0.0.1:\(port)/notifications")
            request.method = .POST
            request.headers.add(name: "Authorization", value: "Basic " + Data(Self.token.utf8).base64EncodedString())
            request.body = .bytes(ByteBuffer(string: #"{"session_id":"proc-1","topic":"session_completion"}"#))
            let http = HTTPClient(eventLoopGroupProvider: .singleton)
            let (accepted, refused) = try await withClosing(http, close: { try await $0.shutdown() }) { http in
                let accepted = try await http.execute(request, timeout: .seconds(10))
                request.headers.replaceOrAdd(name: "Authorization", value: "Bearer wrong-\(Self.token)")
                return (accepted, try await http.execute(request, timeout: .seconds(10)))
            }
            #expect(accepted.status.code == 202)
            #expect(refused.status.code == 401)
            process.send(SIGTERM)
            let termination = try await process.wait()
            #expect(termination.status == 0, "\(termination.output)")
            #expect(!termination.output.contains(Self.token))
            #expect(!termination.output.contains(Data(Self.token.utf8).base64EncodedString()))
            #expect(termination.output.contains("wrong_token"))
            #expect(try await database.count("SELECT 1 FROM idv.notifications WHERE session_id = 'proc-1'") == 1)
        }
    }

    @Test("--token-file of mode 0644 is refused (exit 2) naming the file and chmod 600, not the token")
    func openTokenFileRefused() async throws {
        let path = try MigratedDatabase.temporaryFile(Self.token + "\n", suffix: ".token")
        defer { try? FileManager.default.removeItem(atPath: path) }
        #expect(chmod(path, 0o644) == 0)
        let result = try await IDVBatchProcess.run(
            ["notifications", "serve", "--token-file", path, "--port", "0"],
            environment: ["DATABASE_URL": "host=/nonexistent dbname=none"])
        #expect(result.status == 2)
        #expect(result.output.contains(path) && result.output.contains("chmod 600"))
        #expect(!result.output.contains(Self.token))
    }

    @Test("no token anywhere: exit 2 naming IDV_NOTIFICATIONS_TOKEN and --token-file; --help teaches")
    func missingTokenAndHelp() async throws {
        let result = try await IDVBatchProcess.run(
            ["notifications", "serve", "--port", "0"], environment: ["DATABASE_URL": "host=/nonexistent dbname=none"])
        #expect(result.status == 2)
        #expect(result.output.contains("IDV_NOTIFICATIONS_TOKEN") && result.output.contains("--token-file"))
        let help = try await IDVBatchProcess.run(["notifications", "serve", "--help"], environment: [:])
        for phrase in ["auth_type", "Authorization: Bearer", "reverse proxy", "chmod 600", "503", "/healthz"] {
            #expect(help.output.contains(phrase), "--help lacks \(phrase)")
        }
    }

    /// The port of the `listening` log line (JSON), waiting up to 20 s.
    static func listeningPort(_ process: SpawnedProcess) async throws -> Int {
        let deadline = ContinuousClock.now + .seconds(20)
        while ContinuousClock.now < deadline {
            for line in process.outputSoFar().split(separator: "\n") where line.contains("listen.port") {
                let object = try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any]
                if let port = (object?["listen.port"] as? String).flatMap(Int.init) { return port }
            }
            try await Task.sleep(for: .milliseconds(50))
        }
        process.send(SIGKILL)
        let output = try await process.wait().output
        Issue.record("the receiver did not start listening: \(output)")
        throw CancellationError()
    }
}
