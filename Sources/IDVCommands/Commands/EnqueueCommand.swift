import ArgumentParser
import Foundation
import IDVLogging
import IDVRunner
import PostgresClient
import SystemSupport

/// `idv-batch enqueue`: load rows from JSON Lines or CSV into a batch.
package struct EnqueueCommand: AsyncParsableCommand {
    package static let configuration = CommandConfiguration(
        commandName: "enqueue",
        abstract: "Load rows from a JSON Lines or CSV file (or standard input) into a batch.",
        discussion: """
            Each valid row becomes one pending row of idv.verification_requests in the batch. Loading is \
            idempotent on (batch, external_ref): rows already present are skipped, so the same file can be \
            loaded again safely (after fixing rejected lines, for example). The input is streamed: every 5,000 \
            valid rows (--batch-size) go in with one COPY into a temporary staging table and one INSERT … ON \
            CONFLICT DO NOTHING, while the next rows are read, so files of millions of lines load in constant \
            memory, within about 1.2 times what the server alone takes to insert the same rows into the \
            table (about 50,000 rows/s on 2 cores). A line that is not JSON is reported with the column of \
            the first mistake.

            Every row is checked as the runner will see it: external_ref present, config_name known (or \
            --config), something to send, and the composed session spec valid; an In-Branch row also needs \
            a document for each document requirement and a letter route (see --letters). Invalid rows are reported \
            with their line numbers and reasons (the first 20; the rest are counted); valid rows still load.

            JSON Lines (.jsonl, .ndjson): one object per line with
              external_ref  string, required: the caller's id for the person
              config_name   string or null: a named configuration (--config)
              session_spec  object or null: a JSON merge patch over the
                            configuration, or without one the full spec
            Blank lines are skipped; any other key is an error.

            CSV (.csv; RFC 4180): a header row, then one row per person. Fields \
            may be quoted; quoted fields may hold commas, doubled quotes ("") and \
            line breaks. Empty cells set nothing. Column names are matched \
            case-insensitively. Columns and where they go:
              external_ref      the row's external_ref (required)
              config_name       the row's config_name (default --config)
              user_tracking_id  session_spec.user_tracking_id
                                (default: external_ref)
              given_names, family_name, full_name, date_of_birth (YYYY-MM-DD)
                                session_spec.resources.applicant_profile.<col>
              address_format (a number), building_number, address_line1,
              address_line2, town_city, postal_code, country_iso, country
                                ...applicant_profile.structured_postal_address
                                .<col>
              spec.<dotted.path>
                                that path of session_spec, for example
                                spec.sdk_config.locale; a cell that reads as a
                                JSON number or true/false is stored as one,
                                anything else as text
            Any other column is an error that names it and the accepted ones \
            (skip it with --ignore-column NAME). There is no email column: \
            Yoti's applicant profile has none.

            Exit codes: 0 every row loaded or was already there; 1 some rows were rejected (the others \
            loaded); 2 usage error (unknown format or --config, unusable CSV header, unreadable file); \
            3 database unreachable; 130/143 interrupted by SIGINT/SIGTERM (the transaction in flight is rolled \
            back, rows inserted before it stay: load the same input again to finish).

            Examples:
              idv-batch enqueue --batch onboarding-2026-11-21 --config standard people.csv
              idv-batch enqueue --batch onboarding-2026-11-21 rows.jsonl
              export-people | idv-batch enqueue --batch b1 --format jsonl -
            """
    )

    @OptionGroup var database: DatabaseOptions
    @OptionGroup(title: "Logging") var logging: LogOptions

    @Option(name: .customLong("batch"), help: ArgumentHelp("The batch the rows go to.", valueName: "id"))
    var batchID: String

    @Option(
        name: .customLong("config"),
        help: ArgumentHelp("Named configuration of rows that name none.", valueName: "name"))
    var config: String?

    @Option(
        help: ArgumentHelp(
            "The input format (default: from the file extension; required for standard input).", valueName: "format"))
    var format: EnqueueFormatOption?

    @Option(
        name: .customLong("ignore-column"), help: ArgumentHelp("A CSV column to skip (repeatable).", valueName: "name"))
    var ignoredColumns: [String] = []

    @Option(
        name: .customLong("max-line-bytes"),
        help: ArgumentHelp("Longest line (CSV: record) accepted; longer ones are rejected.", valueName: "bytes"))
    var maxLineBytes: Int = 1 << 20

    @Option(
        name: .customLong("batch-size"),
        help: ArgumentHelp(
            "Rows per transaction (one COPY into a staging table and one INSERT … ON CONFLICT DO NOTHING).",
            valueName: "rows"))
    var batchSize: Int = 5_000

    @Flag(
        help: ArgumentHelp(
            "Reject rows whose spec has a value unknown in an open vocabulary (e.g. a check or task type Yoti "
                + "added after this release). Default: load them and list each unknown value once."))
    var strict = false

    @Option(
        help: ArgumentHelp(
            "How the In-Branch rows' letters will be delivered, as `run --letters`: email (the default) or a "
                + "directory.",
            discussion: "With email, an In-Branch row whose spec subscribes to INSTRUCTIONS_EMAIL_REQUESTED is "
                + "refused: Yoti emails nobody for such a session; load it with --letters DIR and run with the "
                + "same. Every In-Branch row is also checked for its documents: one per document requirement, "
                + "from the row (document_type, document_country), the configuration's ibv_defaults, or the one "
                + "document the configuration allows.",
            valueName: "dir|email"))
    var letters = "email"

    @Argument(help: ArgumentHelp("The file to load, or - for standard input.", valueName: "file"))
    var file: String

    /// The command with the defaults of every flag; ArgumentParser sets what the command line gives.
    package init() {}

    package func run() async throws {
        try await CommandFailure.exiting(execute)
    }

    private func execute() async throws -> Int32 {
        let format = try resolvedFormat()
        guard maxLineBytes >= 1, batchSize >= 1, batchSize <= 100_000 else {
            throw CommandFailure(
                exitCode: 2, message: "--max-line-bytes must be positive and --batch-size between 1 and 100000")
        }
        var options = Enqueuer.Options(batchID: batchID, format: format, defaultConfig: config)
        options.ignoredColumns = Set(ignoredColumns)
        options.maxLineBytes = maxLineBytes
        options.batchSize = batchSize
        options.strict = strict
        guard !letters.trimmingCharacters(in: .whitespaces).isEmpty else {
            throw CommandFailure(
                exitCode: 2, message: "--letters must be a directory or email (the default), not empty")
        }
        options.letters = letters == "email" ? .email : .save(directory: URL(fileURLWithPath: letters))
        let input: Enqueuer.Input = file == "-" ? .standardInput : try .file(file)
        let (logger, _) = try CommandLogger.make(label: "idv-batch.enqueue", settings: logging.settings())
        options.warnings = SpecWarnings(logger: logger)
        let pool = PostgresPool(configuration: try database.configuration(), maxConnections: 1, logger: logger)
        let progress = TerminalProgress()
        // SIGINT/SIGTERM cancel the load: the INSERT in flight is rolled back, batches already inserted stay,
        // and loading the same input again skips them (idempotent on batch and external_ref).
        let outcome = await SignalScope.run(mode: .cancelStatement, logger: logger) { [options] in
            try await Enqueuer(database: pool, options: options).load(input, progress: progress.show)
        }
        progress.clear()
        if outcome.signal != nil, case .failure? = outcome.result {
            let kept =
                (try? await pool.query(
                    "SELECT count(*) AS n FROM idv.verification_requests WHERE batch_id = $1", [.text(batchID)]
                )[0].decode(Int.self, "n")).map { "; the batch now holds \($0) rows" } ?? ""
            await pool.shutdown()
            throw CommandFailure(
                exitCode: outcome.interruptedExitCode,
                message: "Interrupted: the insert in flight was rolled back, rows inserted before it are kept\(kept). "
                    + "Load the same input again to finish: rows already present are skipped.")
        }
        await pool.shutdown()
        let report = try outcome.get()
        logger.debug(
            "Enqueue finished",
            metadata: [
                LogKey.batchID: "\(batchID)", "inserted": "\(report.inserted)", "rejected": "\(report.rejectedCount)",
            ])
        print(report.render())
        print(String(format: "Peak memory: %.1f MiB", ProcessUsage.peakMebibytes()))
        return report.exitCode
    }

    private func resolvedFormat() throws -> EnqueueFormat {
        if let format {
            return format == .csv ? .csv : .jsonLines
        }
        guard file != "-" else {
            throw CommandFailure(exitCode: 2, message: "Reading standard input needs --format jsonl or --format csv.")
        }
        guard let inferred = EnqueueFormat.inferred(fromPath: file) else {
            throw CommandFailure(
                exitCode: 2,
                message: "Cannot tell the format of \(file) from its extension: pass --format jsonl or --format csv.")
        }
        return inferred
    }
}
