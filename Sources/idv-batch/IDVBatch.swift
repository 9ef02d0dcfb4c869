import ArgumentParser
import Foundation
import IDVBench
import IDVCommands
import IDVDemo
import YotiAPI

/// The `idv-batch` command: turns rows of a PostgreSQL table into Yoti IDV sessions.
@main
struct IDVBatch: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "idv-batch",
        abstract: "Turn PostgreSQL rows into Yoti identity-verification sessions, in batches.",
        discussion: """
            Upstream systems insert one row per person into idv.verification_requests \
            (batch_id, external_ref, and a config_name and/or session_spec). idv-batch creates a \
            Yoti IDV session for each pending row and writes back session_id, client_session_token \
            and when the token expires. Every row ends in a state with its reason: pending, \
            in_progress, created, failed, expired or cancelled.

            Getting started:
              0. Try it first without a database or a Yoti account: idv-batch demo
              1. Point it at PostgreSQL, e.g.
                 export DATABASE_URL=postgres://user@host:5432/dbname
                 (or use libpq's PGHOST, PGPORT, PGDATABASE, PGUSER, PGPASSWORD).
              2. Create or upgrade the schema: idv-batch migrate
              3. See each subcommand's --help for what it does and its options.

            Exit codes (for cron and job schedulers):
              0        all done
              1        finished, some rows failed
              2        usage or configuration error
              3        aborted (database unreachable, credentials rejected)
              4        deadline reached with work left
              5        stopped because the rest of the work is in a paused batch
                       (`idv-batch resume <batch>` releases it)
              130/143  interrupted; the work left is safe to resume

            Secrets (database passwords, keys, tokens) are never printed.
            """,
        version: IDVBatchVersion.current,
        subcommands: [
            Migrate.self, EnqueueCommand.self, RunCommand.self, RerunCommand.self, ExpireCommand.self,
            InstructionsCommand.self, SyncCommand.self, StatusCommand.self, PauseCommand.self, ResumeCommand.self,
            CancelCommand.self, PurgeCommand.self, HoldCommand.self, ReleaseCommand.self, EraseCommand.self,
            ConfigsCommand.self, NotificationsCommand.self, DemoCommand.self, BenchCommand.self,
        ]
    )

    /// Parses and runs the command like ArgumentParser's default, except that a usage error (an unknown
    /// flag, a missing argument, a value that does not parse) exits 2 as docs/design.md's exit codes say,
    /// not ArgumentParser's 64.
    static func main() async {
        do {
            var command = try parseAsRoot()
            if var asyncCommand = command as? any AsyncParsableCommand {
                try await asyncCommand.run()
            } else {
                try command.run()
            }
        } catch {
            if exitCode(for: error) == .validationFailure {
                FileHandle.standardError.write(Data((fullMessage(for: error) + "\n").utf8))
                Foundation.exit(2)
            }
            exit(withError: error)
        }
    }
}
