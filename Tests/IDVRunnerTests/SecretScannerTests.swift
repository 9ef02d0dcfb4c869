import Foundation
import TestSupport
import Testing

/// The campaigns' secret scanner must find what it looks for, or their "0 found" would mean nothing.
@Suite("Secret scanner")
struct SecretScannerTests {
    static let token = "3f1c2a9e-7b4d-4c1e-9a2f-5d6e7f8a9b0c"

    @Test(
        "a planted secret is found wherever it sits; absent or cut short, nothing is",
        arguments: [
            (token, true), ("log: token=\(token) end", true), ("{\"t\":\"\(token)\"}\n", true), ("x\(token)", true),
            ("…ünïcödé \(token)✓", true), (String(token.dropLast()), false), ("", false), ("3f1c2a9e", false),
        ])
    func plantedSecret(text: String, leaks: Bool) {
        var scanner = SecretScanner()
        scanner.add("client session token", Self.token)
        scanner.add("database password", "pw-0123456789abcdef")
        let findings = scanner.findings(in: text, source: "test")
        #expect(findings.map(\.label) == (leaks ? ["client session token"] : []))
        #expect(!findings.description.contains(Self.token), "a finding never repeats the secret")
    }

    @Test("every PEM body line of the key file is a secret, and each is found in a large text")
    func keyMaterial() throws {
        let scanner = try SecretScanner(keyFile: SharedPaths.ownerOnlyTestKey)
        #expect(scanner.secrets.count > 10)
        let noise = String(repeating: "debug line with nothing secret in it\n", count: 20_000)
        for secret in scanner.secrets.shuffled().prefix(3) {
            #expect(
                scanner.findings(in: noise + secret.value + noise, source: "log").map(\.label) == [
                    "private key material"
                ])
        }
        #expect(scanner.findings(in: noise, source: "log").isEmpty)
    }
}
