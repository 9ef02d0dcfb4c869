import AsyncHTTPClient
import Foundation
import HummingbirdTLS
import LocalPostgres
import NIOCore
import NotificationsReceiver
import TestSupport
import Testing

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// `--tls-cert/--tls-key`: TLS served by the receiver itself, with a throwaway self-signed certificate.
@Suite("Notifications receiver: TLS", .timeLimit(.minutes(3)))
struct ReceiverTLSTests {
    /// A self-signed certificate and key for 127.0.0.1 in a new 0700 folder (openssl), key mode 0600.
    static func selfSigned() async throws -> (certificate: String, key: String) {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("idv-tls-\(UUID().uuidString)")
        try FileManager.default.createDirectory(
            at: directory, withIntermediateDirectories: false, attributes: [.posixPermissions: 0o700])
        let certificate = directory.appendingPathComponent("cert.pem").path
        let key = directory.appendingPathComponent("key.pem").path
        let result = try await ChildProcess.run([
            "openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", key, "-out", certificate,
            "-days", "1", "-subj", "/CN=127.0.0.1", "-addext", "subjectAltName=IP:127.0.0.1",
        ])
        try #require(result.status == 0, "openssl: \(result.output)")
        #expect(chmod(key, 0o600) == 0)
        return (certificate, key)
    }

    @Test("with --tls-cert/--tls-key a notification is accepted over HTTPS; a world-readable key is refused")
    func servesTLS() async throws {
        let (certificate, key) = try await Self.selfSigned()
        defer {
            try? FileManager.default.removeItem(atPath: URL(fileURLWithPath: key).deletingLastPathComponent().path)
        }
        let tls = ReceiverTLS(certificatePath: certificate, privateKeyPath: key)
        try await MigratedDatabase.with { database in
            try await ReceiverHarness.with(pool: database.pool, adjust: { $0.tls = tls }) { harness in
                var configuration = HTTPClient.Configuration()
                configuration.tlsConfiguration = .makeClientConfiguration()
                configuration.tlsConfiguration?.trustRoots = .file(certificate)
                let https = HTTPClient(eventLoopGroupProvider: .singleton, configuration: configuration)
                var request = HTTPClientRequest(url: "https://127.0.0.1:\(harness.port)/notifications")
                request.method = .POST
                request.headers.add(name: "Authorization", value: ReceiverHarness.bearer)
                request.body = .bytes(ByteBuffer(string: ReceiverHarness.notification(session: "s-tls")))
                let response = try await withClosing(https, close: { try await $0.shutdown() }) { https in
                    try await https.execute(request, timeout: .seconds(10))
                }
                #expect(response.status.code == 202)
                #expect(try await harness.stored(session: "s-tls").count == 1)
            }
        }
        #expect(chmod(key, 0o644) == 0)
        let error = try #require(throws: ReceiverTLSError.self) { try tls.serverConfiguration() }
        #expect(error.description.contains("chmod 600"))
    }

    @Test(
        "TLS 1.0 and 1.1 clients are refused at the handshake; a TLS 1.2 client is served",
        arguments: [("1.0", false), ("1.1", false), ("1.2", true)])
    func oldTLSRefused(version: String, served: Bool) async throws {
        let (certificate, key) = try await Self.selfSigned()
        defer {
            try? FileManager.default.removeItem(atPath: URL(fileURLWithPath: key).deletingLastPathComponent().path)
        }
        let tls = ReceiverTLS(certificatePath: certificate, privateKeyPath: key)
        #expect(try tls.serverConfiguration().minimumTLSVersion == .tlsv12)
        try await MigratedDatabase.with { database in
            try await ReceiverHarness.with(pool: database.pool, adjust: { $0.tls = tls }) { harness in
                var tlsConfiguration = TLSConfiguration.makeClientConfiguration()
                tlsConfiguration.trustRoots = .file(certificate)
                tlsConfiguration.minimumTLSVersion = version == "1.0" ? .tlsv1 : version == "1.1" ? .tlsv11 : .tlsv12
                tlsConfiguration.maximumTLSVersion = tlsConfiguration.minimumTLSVersion
                var configuration = HTTPClient.Configuration()
                configuration.tlsConfiguration = tlsConfiguration
                let https = HTTPClient(eventLoopGroupProvider: .singleton, configuration: configuration)
                let request = HTTPClientRequest(url: "https://127.0.0.1:\(harness.port)/healthz")
                let outcome = await Result { try await https.execute(request, timeout: .seconds(10)) }
                try await https.shutdown()
                if served {
                    #expect(try outcome.get().status.code == 200)
                } else {
                    #expect(throws: (any Error).self, "TLS \(version) was served") { try outcome.get() }
                }
            }
        }
    }
}

extension Result where Failure == any Error {
    /// The outcome of `body`, caught.
    init(catching body: () async throws -> Success) async {
        do { self = .success(try await body()) } catch { self = .failure(error) }
    }
}
