import Foundation
import PostgresClient
import TestSupport
import Testing
import YotiAPI
import YotiSandbox

@testable import IDVRunner

/// Campaign 7: a batch's whole life at debug level — a database role with a password the
/// server really demands, a configuration carrying a notification `auth_token` registered with Yoti
/// Sign under its API key, enqueue, a run through injected faults, status, the expiry sweep with remote
/// deletes, and a wrong password — with JSON logs and a metrics file: no secret in any output or in the metrics file.
///
/// The other campaigns scan their own debug-level runs the same way (``SecretScanner``).
@Suite("Campaign: secrets stay out of output", .serialized)
struct CampaignSecretTests {
    @Test("debug-level runs with every kind of secret in play print none of them (stdout, stderr, metrics file)")
    func secretsCampaign() async throws {
        let password = "pw-" + UUID().uuidString.replacingOccurrences(of: "-", with: "").lowercased()
        let wrongPassword = "wrong-" + UUID().uuidString.prefix(13).lowercased()
        let authToken = "notify-auth-" + UUID().uuidString
        let faults = SandboxBehaviour.FaultRates(
            internalServerError: 0.03, tooManyRequests: 0.02, resetAfterCreating: 0.03, malformedCreated: 0.03)
        try await CampaignCluster.with { cluster in
            let roleURL = try await cluster.addPasswordRole("idv_worker", password: password)
            try await ConfigStoreTests.withSign { signSandbox, _ in
                try await RunnerHarness.with(behaviour: .faulty(faults, seed: 5), database: cluster.database) {
                    harness in
                    let batch = RunnerHarness.batchID("secrets")
                    let environment = [
                        "DATABASE_URL": roleURL, "YOTI_CLIENT_SDK_ID": RunnerHarness.sdkID,
                        "YOTI_KEY_FILE_PATH": SharedPaths.ownerOnlyTestKey,
                        "YOTI_SIGN_API_KEY": ConfigStoreTests.signKey,
                        "YOTI_SIGN_API_URL": signSandbox.signBaseURL,
                    ]
                    var outputs: [(source: String, text: String)] = []
                    func idvBatch(_ arguments: [String], _ environment: [String: String], expect status: Int32)
                        async throws
                    {
                        let result = try await IDVBatchProcess.run(arguments, environment: environment)
                        outputs.append((arguments.prefix(2).joined(separator: " "), result.output))
                        #expect(result.status == status, "\(arguments): \(result.output.suffix(2_000))")
                    }

                    var spec = TestSessionSpec.valid
                    spec = JSONMergePatch.apply(
                        [
                            "notifications": [
                                "endpoint": "https://hooks.example.com/yoti", "auth_token": .string(authToken),
                                "topics": ["SESSION_COMPLETION"],
                            ]
                        ], to: spec)
                    let config = try MigratedDatabase.temporaryFile(spec.jsonString(), suffix: ".json")
                    let rows = try MigratedDatabase.temporaryFile(
                        (1...60).map { #"{"external_ref": "person-\#($0)"}"# }.joined(separator: "\n") + "\n",
                        suffix: ".jsonl")
                    let metrics = SecretScanner.metricsPath("secrets-run")
                    let sweepMetrics = SecretScanner.metricsPath("secrets-expire")
                    defer {
                        for path in [config, rows, metrics, sweepMetrics] {
                            try? FileManager.default.removeItem(atPath: path)
                        }
                    }

                    try await idvBatch(
                        ["configs", "push", config, "--name", "notified", "--remote"], environment, expect: 0)
                    try await idvBatch(
                        ["enqueue", "--batch", batch, "--config", "notified", rows], environment, expect: 0)
                    try await idvBatch(
                        [
                            "run", "--batch", batch, "--api-url", harness.sandbox.idvBaseURL, "--log-level", "debug",
                            "--log-format", "json", "--max-attempts", "20", "--metrics-file", metrics,
                        ],
                        environment, expect: 0)
                    #expect(try await harness.statusCounts(batch: batch) == ["created": 60])
                    // Before the sweep below deletes the sessions at the sandbox.
                    try await CampaignInvariants.check(
                        harness, batch: batch, expectedRows: 60, campaign: "secrets",
                        injected:
                            "debug + JSON logs, metrics files; 11% faults; password role, auth_token, Sign API key")
                    // The tokens exist only now: the sweep below clears them.
                    var scanner = try SecretScanner(keyFile: SharedPaths.ownerOnlyTestKey)
                    try await scanner.addSessionTokens(harness.pool, batch: batch)
                    #expect(scanner.secrets.filter { $0.label == "client session token" }.count == 60)
                    scanner.add("database password", password)
                    scanner.add("wrong database password", wrongPassword)
                    scanner.add("notification auth_token", authToken)
                    scanner.add("Yoti Sign API key", ConfigStoreTests.signKey)
                    #expect(
                        harness.sandboxSessions().allSatisfy {
                            $0.spec?["notifications"]?["auth_token"] == .string(authToken)
                        },
                        "the auth_token must reach Yoti (and only Yoti)")

                    try await idvBatch(["status", batch], environment, expect: 0)
                    try await idvBatch(["status", batch, "--json"], environment, expect: 0)
                    try await idvBatch(["configs", "list", "--remote"], environment, expect: 0)
                    try await idvBatch(
                        [
                            "expire", "--as-of", "2099-01-01T00:00:00Z", "--delete-remote", "--api-url",
                            harness.sandbox.idvBaseURL,
                            "--log-level", "debug", "--log-format", "json", "--metrics-file", sweepMetrics,
                        ], environment, expect: 0)
                    var wrong = environment
                    wrong["DATABASE_URL"] = roleURL.replacingOccurrences(of: password, with: wrongPassword)
                    try await idvBatch(["run", "--batch", batch, "--log-level", "debug"], wrong, expect: 3)
                    #expect(
                        outputs.last?.text.contains("password") == true,
                        "the refusal should say the password was refused")
                    let wrongSignKey = "not-the-sign-key-" + UUID().uuidString.prefix(8)
                    scanner.add("wrong Yoti Sign API key", wrongSignKey)
                    try await idvBatch(
                        ["configs", "list", "--remote"],
                        environment.merging(["YOTI_SIGN_API_KEY": wrongSignKey]) { $1 }, expect: 3)

                    let notScanned = scanner.expectClean(outputs, files: [metrics, sweepMetrics], campaign: "secrets")
                    #expect(
                        notScanned.isEmpty, "run and expire were asked for metrics files: \(notScanned) not written")
                }
            }
        }
    }
}
