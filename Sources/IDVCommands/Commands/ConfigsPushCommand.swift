import ArgumentParser
import Foundation
import IDVRunner
import PostgresClient
import YotiClient

/// `idv-batch configs push FILE --name NAME`.
struct ConfigsPushCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "push",
        abstract: "Validate a session configuration file and store it under a name (and register it with Yoti Sign).",
        discussion: """
            FILE holds one session spec (JSON). It is validated first (every problem is listed with its \
            path); a valid one is stored in idv.session_configs, replacing any configuration of that name. \
            With --remote it is also registered with Yoti Sign (POST /v2/idv/sessions/configs, with \
            is_private from --private) and Yoti Sign's answer is stored next to it. Yoti Sign has no update \
            call: to change a registered configuration, push it under a new name.

            Exit codes: 0 stored (and registered); 1 stored, but Yoti Sign refused it; 2 invalid spec, name \
            or file; 3 database unreachable, or Yoti Sign rejected the API key; 130/143 interrupted by \
            SIGINT/SIGTERM (the push in flight finishes and is recorded first).

            Example:
              idv-batch configs push jobs/configs/standard-doc-liveness.json --name standard-doc-liveness
            """
    )

    @OptionGroup var database: DatabaseOptions
    @OptionGroup var sign: SignOptions
    @OptionGroup(title: "Logging") var logging: LogOptions

    @Argument(help: ArgumentHelp("The session spec file (JSON).", valueName: "file"))
    var file: String

    @Option(help: ArgumentHelp("The configuration's name (what rows put in config_name).", valueName: "name"))
    var name: String

    @Flag(name: .customLong("private"), help: "Register it with Yoti Sign as private (is_private).")
    var isPrivate = false

    @Flag(help: "Also register it with Yoti Sign.")
    var remote = false

    func run() async throws {
        try await CommandFailure.exiting {
            let spec = try ConfigStore.readSpec(path: file)
            try ConfigStore.validate(name: name, spec: spec)
            let client = remote ? try sign.makeClient() : nil
            let logger = try CommandLogger.make(label: "idv-batch.configs-push", settings: logging.settings()).logger
            let pool = PostgresPool(configuration: try database.configuration(), maxConnections: 1, logger: logger)
            // SIGINT/SIGTERM: the statement and the Yoti Sign call in flight finish and Yoti Sign's answer is
            // recorded (the call is bounded by its timeout; a second signal cancels it), then exit 130/143.
            let (configName, privately) = (name, isPrivate)
            let outcome = await SignalScope.run(mode: .graceful, logger: logger) {
                try await ConfigStore(database: pool).push(
                    name: configName, spec: spec, isPrivate: privately, remote: client)
            }
            try? await client?.shutdown()
            await pool.shutdown()
            let result = try outcome.get()
            print(result.render())
            if outcome.signal != nil {
                FileHandle.standardError.write(
                    Data("idv-batch: interrupted after the push finished; what is shown above was stored.\n".utf8))
                return outcome.interruptedExitCode
            }
            return result.exitCode
        }
    }
}
