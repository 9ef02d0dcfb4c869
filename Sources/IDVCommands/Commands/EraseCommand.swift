import ArgumentParser
import Foundation
import IDVRunner
import Logging
import PostgresClient
import YotiClient

/// `idv-batch erase`: one person's right to erasure.
package struct EraseCommand: AsyncParsableCommand {
    package static let configuration = CommandConfiguration(
        commandName: "erase",
        abstract: "Erase one person's personal data now (right to erasure), whatever the retention policy.",
        discussion: """
            For every row with the given external ref (in --batch, or in every batch): clears session_spec, \
            ibv_instructions, the letter file and its path, the recorded result and the token, marks the \
            row personal_data_purged_at, clears the stored payloads of notifications about its sessions, and \
            deletes at Yoti every session of the person whose id is known (the row's session, its \
            previous_sessions, every session in the ledger). A 409 (checks unfinished) is left for purge to \
            delete later; without Yoti credentials every session is. Batch, ref, states, times, session ids \
            and the ledger stay, so counts still add up.

            Prints and records a receipt in idv.erasures: who (--by), why (--reason), when, what was removed \
            where; no personal values. --dry-run shows the receipt without changing anything. A batch under \
            legal hold is erased only with --override-hold (written on the receipt).

            An unknown ref (or batch) changes nothing: exit 2.

            Exit codes: 0 erased; 1 erased, but a letter file or a Yoti session could not be removed (see the \
            receipt; erase again); 2 usage, unknown ref or batch, held batch; 3 database unreachable.

            Examples:
              idv-batch erase --batch onboarding-2026-11-21 --ref CUST-00042 --reason "erasure request 2026-118" \\
                --by dpo --sdk-id "$YOTI_CLIENT_SDK_ID" --key-file key.pem
              idv-batch erase --ref CUST-00042 --dry-run
              idv-batch erase --refs requests.txt --reason "erasure requests, December"
            """
    )

    @OptionGroup var database: DatabaseOptions
    @OptionGroup var yoti: YotiOptions
    @OptionGroup var audit: AuditOptions

    @Option(name: .customLong("batch"), help: ArgumentHelp("Only this batch (default: every batch).", valueName: "id"))
    var batchID: String?

    @Option(name: .customLong("ref"), help: ArgumentHelp("The person's external_ref (repeatable).", valueName: "ref"))
    var refs: [String] = []

    @Option(
        name: .customLong("refs"),
        help: ArgumentHelp(
            "A file with one external_ref per line (blank lines and # comments skipped).", valueName: "file"))
    var refsFile: String?

    @Flag(name: .customLong("dry-run"), help: "Show the receipt; change nothing.")
    var dryRun = false

    @Flag(name: .customLong("override-hold"), help: "Erase even in a batch under legal hold.")
    var overrideHold = false

    package init() {}

    package func run() async throws {
        try await CommandFailure.exiting {
            var all = refs
            if let refsFile {
                guard let text = try? String(contentsOfFile: refsFile, encoding: .utf8) else {
                    throw CommandFailure(
                        exitCode: 2, message: "--refs \(refsFile): cannot read the file; check the path")
                }
                all += text.split(whereSeparator: \.isNewline).map { $0.trimmingCharacters(in: .whitespaces) }
                    .filter { !$0.isEmpty && !$0.hasPrefix("#") }
            }
            let environment = ProcessInfo.processInfo.environment
            let filled = yoti.filled(from: environment)
            let client =
                !dryRun && filled.sdkID != nil && filled.keyFile != nil
                ? try filled.makeClient(
                    options: IDVClient.Options(requestTimeout: .seconds(30), maxConnections: 4),
                    logger: Logger(label: "idv-batch.erase") { _ in SwiftLogNoOpLogHandler() })
                : nil
            var request = Eraser.Request(batchID: batchID, refs: all, requester: audit.requester)
            request.dryRun = dryRun
            request.overrideHold = overrideHold
            let outcome = await Result(catching: {
                try await database.withPool { pool in
                    try await Eraser(pool: pool, deleter: client).erase(request)
                }
            })
            try? await client?.shutdown()
            let receipt = try outcome.get()
            print(receipt.render())
            return receipt.exitCode
        }
    }
}
