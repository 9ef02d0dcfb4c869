import Foundation
import PostgresClient
import TestSupport
import Testing
import YotiAPI
import YotiClient
import YotiSandbox

@testable import IDVRunner

/// `configs push` / `configs list`, locally and against the sandbox's Yoti Sign endpoints.
@Suite("Config store (PostgreSQL + sandbox Yoti Sign)", .serialized)
struct ConfigStoreTests {
    static let signKey = "sign-test-key-5b1e"

    /// The sample configurations shipped under jobs/configs.
    static let sampleFiles = ["standard-doc-liveness.json", "in-branch.json"]

    static func samplePath(_ name: String) -> String {
        SharedPaths.repositoryRoot.appendingPathComponent("jobs/configs/\(name)").path
    }

    /// Runs `body` with a sandbox accepting ``signKey`` and a Yoti Sign client using `key`.
    static func withSign<Result: Sendable>(
        key: String = signKey, _ body: (YotiSandbox, YotiSignClient) async throws -> Result
    ) async throws -> Result {
        let sandbox = try YotiSandbox(
            configuration: SandboxConfiguration(
                applications: [
                    try SandboxApplication(sdkID: RunnerHarness.sdkID, keyFile: SharedPaths.ownerOnlyTestKey)
                ],
                signAPIKeys: [signKey]))
        try await sandbox.start()
        return try await withClosing(sandbox, close: { await $0.shutdown() }) { sandbox in
            let client = try YotiSignClient(baseURL: sandbox.signBaseURL, apiKey: key)
            return try await withClosing(client, close: { try await $0.shutdown() }) { try await body(sandbox, $0) }
        }
    }

    @Test("the sample configurations under jobs/configs pass the validator", arguments: sampleFiles)
    func samplesAreValid(file: String) throws {
        let spec = try ConfigStore.readSpec(path: Self.samplePath(file))
        #expect(SessionSpecValidator.validate(spec) == [])
        try ConfigStore.validate(name: "sample", spec: spec)
    }

    @Test("push stores a new configuration, then replaces it; list shows it; an invalid spec is refused with its path")
    func localPushAndList() async throws {
        try await MigratedDatabase.with { database in
            let store = ConfigStore(database: database.pool)
            let spec = try ConfigStore.readSpec(path: Self.samplePath("standard-doc-liveness.json"))
            let first = try await store.push(name: "standard", spec: spec, isPrivate: false)
            #expect(first.created && first.exitCode == 0)
            var changed = spec.objectValue ?? [:]
            changed["client_session_token_ttl"] = 3_600
            let second = try await store.push(name: "standard", spec: .object(changed), isPrivate: true)
            #expect(!second.created)

            let listed = try await store.list()
            #expect(listed.map(\.name) == ["standard"])
            #expect(listed[0].isPrivate && listed[0].spec["client_session_token_ttl"] == 3_600)
            #expect(listed[0].remoteRegisteredAt == nil)
            #expect(listed[0].summary.contains("LIVENESS"))

            let invalid = await #expect(throws: OperationError.self) {
                try await store.push(
                    name: "broken", spec: ["client_session_token_ttl": 60, "sdk_config": ["primary_colour": "blue"]],
                    isPrivate: false)
            }
            #expect(invalid?.code == .invalidSpec)
            #expect(invalid?.message.contains("client_session_token_ttl") == true)
            #expect(invalid?.message.contains("sdk_config.primary_colour") == true)
            let badName = await #expect(throws: OperationError.self) {
                try await store.push(name: " spaced ", spec: spec, isPrivate: false)
            }
            #expect(badName?.code == .usage)
            #expect(try await store.list().count == 1)
        }
    }

    @Test(
        "--remote registers with Yoti Sign, stores its answer, and the remote list shows it; a second push is refused (409)"
    )
    func remotePush() async throws {
        try await MigratedDatabase.with { database in
            try await Self.withSign { sandbox, client in
                let store = ConfigStore(database: database.pool)
                let spec = try ConfigStore.readSpec(path: Self.samplePath("in-branch.json"))
                let pushed = try await store.push(name: "ibv", spec: spec, isPrivate: true, remote: client)
                #expect(pushed.exitCode == 0 && pushed.remoteError == nil)
                #expect(pushed.remoteResponse?["name"] == "ibv")
                #expect(sandbox.signConfigurations().map(\.name) == ["ibv"])
                #expect(sandbox.signConfigurations().first?.isPrivate == true)
                let stored = try await database.pool.query(
                    "SELECT remote_registered_at IS NOT NULL AS registered, remote_response->>'name' AS name FROM idv.session_configs"
                )
                #expect(try stored[0].decode(Bool.self, "registered") && stored[0].decode(String.self, "name") == "ibv")

                let remote = try await client.listConfigurations()
                #expect(remote.map(\.name) == ["ibv"] && remote.first?.isPrivate == true)

                let again = try await store.push(name: "ibv", spec: spec, isPrivate: true, remote: client)
                #expect(again.remoteError?.status == 409 && again.exitCode == 1)
                #expect(again.render().contains("push under a new name"))
            }
        }
    }

    @Test("a rejected Yoti Sign key is reported with exit 3; the key never appears in the message")
    func remoteCredentials() async throws {
        try await MigratedDatabase.with { database in
            try await Self.withSign(key: "wrong-key-77aa") { sandbox, client in
                let spec = try ConfigStore.readSpec(path: Self.samplePath("standard-doc-liveness.json"))
                let result = try await ConfigStore(database: database.pool).push(
                    name: "standard", spec: spec, isPrivate: false, remote: client)
                #expect(result.remoteError?.code == .credentials && result.exitCode == 3)
                #expect(!result.render().contains("wrong-key-77aa"))
                #expect(sandbox.signConfigurations().isEmpty)
                // Stored locally all the same.
                #expect(try await ConfigStore(database: database.pool).list().map(\.name) == ["standard"])
            }
        }
    }
}
