import ArgumentParser
import Foundation
import IDVRunner
import PostgresClient
import YotiAPI
import YotiClient

/// `idv-batch configs list`.
struct ConfigsListCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "list",
        abstract: "List the stored session configurations (with --remote, Yoti Sign's list).",
        discussion: """
            --json prints {"schema_version": 1, "configs": [{"name", "is_private", "created_at", "updated_at", \
            "remote_registered_at", "spec"}]} for the local list, and {"schema_version": 1, "remote": [{"name", \
            "is_custom", "is_private"}]} with --remote. Secrets inside specs (notification auth_token) are \
            shown as <redacted>.

            Exit codes: 0 listed; 2 usage error; 3 database unreachable or Yoti Sign rejected the API key.
            """
    )

    @OptionGroup var database: DatabaseOptions
    @OptionGroup var sign: SignOptions
    @OptionGroup(title: "Logging") var logging: LogOptions

    @Flag(help: "List Yoti Sign's configurations instead of the local ones.")
    var remote = false

    @Flag(help: "Print JSON instead of a table.")
    var json = false

    func run() async throws {
        try await CommandFailure.exiting {
            remote ? try await listRemote() : try await listLocal()
        }
    }

    private func listLocal() async throws -> Int32 {
        let logger = try CommandLogger.make(label: "idv-batch.configs-list", settings: logging.settings()).logger
        let configs = try await database.withPool(logger: logger) { try await ConfigStore(database: $0).list() }
        if json {
            let list: JSONValue = ["schema_version": 1, "configs": .array(configs.map(\.json))]
            print(list.prettyString())
        } else if configs.isEmpty {
            print("No session configurations yet: `idv-batch configs push FILE --name NAME` stores one.")
        } else {
            for config in configs {
                let remote = config.remoteRegisteredAt.map { "registered with Yoti Sign \($0)" } ?? "local only"
                print(
                    "\(config.name)\(config.isPrivate ? " (private)" : ""): \(config.summary); updated \(config.updatedAt); \(remote)"
                )
            }
        }
        return 0
    }

    private func listRemote() async throws -> Int32 {
        let client = try sign.makeClient()
        let outcome = await Result(catching: { try await client.listConfigurations() })
        try? await client.shutdown()
        let configs: [SessionConfigurationSummary]
        do {
            configs = try outcome.get()
        } catch let error as YotiAPIError {
            throw CommandFailure(exitCode: error.code == .credentials ? 3 : 1, message: "Yoti Sign: \(error)")
        }
        if json {
            let entries: [JSONValue] = configs.map {
                [
                    "name": .string($0.name), "is_custom": $0.isCustom.map(JSONValue.bool) ?? .null,
                    "is_private": $0.isPrivate.map(JSONValue.bool) ?? .null,
                ]
            }
            let list: JSONValue = ["schema_version": 1, "remote": .array(entries)]
            print(list.prettyString())
        } else if configs.isEmpty {
            print("Yoti Sign lists no session configurations for this API key.")
        } else {
            for config in configs {
                let flags = [config.isCustom == true ? "custom" : nil, config.isPrivate == true ? "private" : nil]
                    .compactMap { $0 }
                print(config.name + (flags.isEmpty ? "" : " (\(flags.joined(separator: ", ")))"))
            }
        }
        return 0
    }
}
