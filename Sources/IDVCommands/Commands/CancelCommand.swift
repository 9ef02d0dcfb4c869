import ArgumentParser
import Foundation
import IDVRunner
import PostgresClient
import YotiClient

/// `idv-batch cancel <batch>`: withdraw rows of a batch, recorded with who and why.
package struct CancelCommand: AsyncParsableCommand {
    package static let configuration = CommandConfiguration(
        commandName: "cancel",
        abstract: "Withdraw a batch's rows (pending by default): they become cancelled, with who and why.",
        discussion: """
            Rows of the batch in the states of --where-status (default: pending), and with --refs only \
            those external refs, become cancelled; last_error says who cancelled them and why, and the \
            action is recorded in idv.batch_actions. Rows a worker holds right now (in flight) are not \
            touched: they are counted and reported, and cancelling again after they are written back \
            takes them. A cancelled row is never claimed again.

            --delete-remote also deletes at Yoti the sessions of cancelled rows that have one (rows that \
            were created: --where-status created), through the same engine as `expire --delete-remote` \
            (leases, ledger, retries left for the next sweep).

            Exit codes: 0 done (also when nothing matched); 2 unknown batch, unknown state or another usage \
            error, an unreadable --refs file; 3 database unreachable or Yoti credentials rejected.

            Examples:
              idv-batch cancel onboarding-2026-11-21 --reason "campaign withdrawn"
              idv-batch cancel onboarding-2026-11-21 --where-status pending,failed
              idv-batch cancel onboarding-2026-11-21 --refs withdrawn.txt --where-status pending,created --delete-remote
            """
    )

    @OptionGroup var database: DatabaseOptions
    @OptionGroup var audit: AuditOptions
    @OptionGroup var yoti: YotiOptions

    @Argument(help: ArgumentHelp("The batch whose rows to cancel.", valueName: "batch-id"))
    var batchID: String

    @Option(
        help: ArgumentHelp("Only these external refs: a file with one per line (`-` for stdin).", valueName: "file"))
    var refs: String?

    @Option(
        name: .customLong("where-status"),
        help: ArgumentHelp(
            "Cancel rows in these states, comma-separated: pending, failed, created (default: pending).",
            valueName: "states"))
    var whereStatus: [String] = []

    @Flag(name: .customLong("delete-remote"), help: "Also delete the cancelled rows' sessions at Yoti.")
    var deleteRemote = false

    package init() {}

    package func run() async throws {
        try await CommandFailure.exiting(execute)
    }

    private func execute() async throws -> Int32 {
        let statuses =
            whereStatus.isEmpty
            ? ["pending"]
            : whereStatus.flatMap { $0.split(separator: ",") }.map {
                $0.trimmingCharacters(in: .whitespaces).lowercased()
            }
            .filter { !$0.isEmpty }
        let refList = try refs.map(Self.readRefs)
        let configuration = try database.configuration()
        let logger = try CommandLogger.make(label: "idv-batch.cancel", settings: ObservabilitySettings()).logger
        let client =
            deleteRemote
            ? try yoti.filled(from: ProcessInfo.processInfo.environment).makeClient(
                options: IDVClient.Options(requestTimeout: .seconds(30), maxConnections: 8), logger: logger)
            : nil
        let result: BatchControl.CancelResult
        do {
            result = try await database.withPool { pool in
                try await BatchControl(pool: pool).cancel(
                    batchID: batchID, statuses: statuses, refs: refList, by: audit.requester)
            }
        } catch {
            try? await client?.shutdown()
            throw error
        }
        let states = result.cancelledByStatus.sorted { $0.key < $1.key }.map { "\($0.key) \($0.value)" }.joined(
            separator: ", ")
        print(
            "Cancelled \(result.cancelled) rows of batch \(batchID)" + (states.isEmpty ? "" : " (was: \(states))")
                + (result.actionID.map { " as action \($0)" } ?? "") + ".")
        if result.skippedInFlight > 0 {
            print(
                "  \(result.skippedInFlight) matching rows are held by a worker right now and were not touched; "
                    + "cancel again once they are written back.")
        }
        if !result.unknownRefs.isEmpty {
            print(
                "  \(result.unknownRefs.count) refs are not in the batch: \(result.unknownRefs.prefix(10).joined(separator: ", "))"
            )
        }
        guard let client else {
            if result.withSession > 0 {
                print("  \(result.withSession) cancelled rows hold a session at Yoti; --delete-remote deletes them.")
            }
            return 0
        }
        var options = ExpirySweeper.Options(batches: [batchID], deleteRemote: true)
        options.requestTimeout = .seconds(30)
        let sweeper = ExpirySweeper(database: configuration, options: options, deleter: client, logger: logger)
        let swept = await Result(catching: { try await sweeper.sweep() })
        try? await client.shutdown()
        let report = try swept.get()
        print(report.render())
        return report.exitCode
    }

    /// One external ref per line; blank lines and surrounding spaces are ignored.
    static func readRefs(_ path: String) throws -> [String] {
        let data: Data
        do {
            data =
                path == "-"
                ? FileHandle.standardInput.readDataToEndOfFile() : try Data(contentsOf: URL(fileURLWithPath: path))
        } catch {
            throw CommandFailure(exitCode: 2, message: "--refs: cannot read \(path): \(error.localizedDescription)")
        }
        return String(decoding: data, as: UTF8.self).split(whereSeparator: \.isNewline)
            .map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
    }
}
