import Foundation
import PostgresClient
import YotiAPI

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// `idv-batch enqueue`: loads rows from JSON Lines or CSV into one batch of `idv.verification_requests`.
///
/// The input is streamed (one chunk and one batch of rows in memory, whatever the file size). Each
/// batch of rows (~5,000) is sent with `COPY … FROM STDIN` into a temporary staging table and moved
/// with one `INSERT … SELECT … ON CONFLICT (batch_id, external_ref) DO NOTHING`, in one transaction,
/// so loading the same file twice adds nothing. Every row is validated first, as the runner would
/// see it; invalid rows are reported with their line numbers and the valid ones still load.
package struct Enqueuer: Sendable {
    /// What to load and how.
    package struct Options: Sendable {
        /// The batch the rows go to (created in `idv.batches` if new).
        package var batchID: String
        /// The input format.
        package var format: EnqueueFormat
        /// `--config`: the named configuration of rows that name none. Default none.
        package var defaultConfig: String?
        /// CSV columns to skip. Default none.
        package var ignoredColumns: Set<String>
        /// Longest line (CSV: record) kept; longer ones are rejected without being held in memory. Default 1 MiB.
        package var maxLineBytes: Int
        /// Rows per COPY and INSERT. Default 5,000.
        package var batchSize: Int
        /// How each batch goes in. Default ``InsertMethod/copy``.
        package var insertMethod: InsertMethod
        /// How many rejections the report lists (the rest are counted). Default 20.
        package var maxReportedRejections: Int
        /// `--strict`: reject rows whose spec has a value unknown in an open vocabulary, instead of
        /// loading them with a warning. Default false.
        package var strict: Bool
        /// Where each unknown value is logged once (``SpecWarnings``). Default: not logged, only reported.
        package var warnings: SpecWarnings
        /// `--letters`: how the In-Branch rows' letters will be delivered, as `run --letters` (with `.email`,
        /// rows whose spec subscribes to `INSTRUCTIONS_EMAIL_REQUESTED` are refused); `nil` skips that
        /// check. Default `.email`, as `run`.
        package var letters: LetterDelivery?
        /// Where rows that would send Yoti a personal-looking `user_tracking_id` (an `external_ref` or an
        /// explicit value shaped like an email address or a phone number) are counted for the report.
        package var trackingIDs: TrackingIDWarnings

        /// Options with the defaults listed on each property.
        package init(batchID: String, format: EnqueueFormat, defaultConfig: String? = nil) {
            self.batchID = batchID
            self.format = format
            self.defaultConfig = defaultConfig
            self.ignoredColumns = []
            self.maxLineBytes = 1 << 20
            self.batchSize = 5_000
            self.insertMethod = .copy
            self.maxReportedRejections = 20
            self.strict = false
            self.warnings = SpecWarnings()
            self.letters = .email
            self.trackingIDs = TrackingIDWarnings(positionName: "line")
        }
    }

    /// How a batch of valid rows is written.
    package enum InsertMethod: Sendable {
        /// `COPY` into a temporary staging table, then one `INSERT … SELECT` from it (the fastest).
        case copy
        /// One `INSERT … SELECT FROM unnest($2::text[], …)` with the rows as array parameters.
        case arrays
    }

    /// Totals so far, for a progress line.
    package struct Progress: Sendable, Hashable {
        /// Rows read so far (not counting blank lines or the CSV header).
        package var rowsRead: Int
        /// Rows inserted so far.
        package var inserted: Int
        /// Valid rows found already present so far.
        package var alreadyPresent: Int
        /// Rows rejected so far.
        package var rejected: Int
    }

    /// Where the rows come from.
    package struct Input: Sendable {
        let reader: ByteChunkReader

        /// A file, opened now.
        /// - Throws: ``OperationError`` `.input` when it cannot be opened.
        package static func file(_ path: String) throws -> Input {
            Input(reader: try ByteChunkReader(path: path))
        }

        /// Standard input (`-` on the command line).
        package static var standardInput: Input {
            Input(reader: ByteChunkReader(descriptor: STDIN_FILENO, closesDescriptor: false))
        }
    }

    let database: PostgresPool
    let options: Options

    /// An enqueuer writing through `database` (one connection is enough: the rows go through one).
    package init(database: PostgresPool, options: Options) {
        self.database = database
        self.options = options
    }

    /// Reads `input` to the end and loads its valid rows.
    /// - Parameter progress: called after each inserted batch with the totals so far.
    /// - Returns: the counts and the first rejections; ``EnqueueReport/exitCode`` is 1 if any row was rejected.
    /// - Throws: ``OperationError``: `.usage` (bad batch id, unknown `--config`, unusable CSV header),
    ///   `.input` (unreadable input), `.database`; `CancellationError`.
    package func load(
        _ input: Input, progress: (@Sendable (Progress) -> Void)? = nil
    ) async throws -> EnqueueReport {
        let started = ContinuousClock.now
        guard !options.batchID.isEmpty, !options.batchID.utf8.contains(0) else {
            throw OperationError(code: .usage, message: "The batch id must be non-empty text without NUL characters.")
        }
        let validator = EnqueueRowValidator(
            catalog: try await loadCatalog(), defaultConfig: options.defaultConfig, letters: options.letters,
            trackingIDs: options.trackingIDs)
        if let name = options.defaultConfig, validator.catalog.configurations[name] == nil {
            throw OperationError(
                code: .usage,
                message: "--config \(name): no session configuration has that name. Push it first with "
                    + "`idv-batch configs push FILE --name \(name)` (see `idv-batch configs list`).")
        }
        try await OperationError.database("register the batch") {
            _ = try await database.query(
                "INSERT INTO idv.batches (batch_id) VALUES ($1) ON CONFLICT (batch_id) DO NOTHING",
                [.text(options.batchID)])
        }

        // The staging table is temporary, so every batch goes through this one connection.
        return try await database.withConnection { connection in
            if options.insertMethod == .copy {
                _ = try await OperationError.database("create the staging table") {
                    try await connection.execute(Self.stagingSQL)
                }
            }
            return try await load(input, validator: validator, on: connection, started: started, progress: progress)
        }
    }

    private func load(
        _ input: Input, validator: EnqueueRowValidator, on connection: PostgresConnection,
        started: ContinuousClock.Instant,
        progress: (@Sendable (Progress) -> Void)?
    ) async throws -> EnqueueReport {
        // Reading and validating the next batch overlaps inserting the previous one: at most one
        // insert is in flight, so memory stays at two batches and rows go in in input order.
        return try await withThrowingTaskGroup(of: InsertOutcome.self) { inserts in
            var state = LoadState(maxReported: options.maxReportedRejections)
            var inFlight = false
            func collect() async throws {
                guard inFlight, let outcome = try await inserts.next() else { return }
                inFlight = false
                state.apply(outcome)
                progress?(state.progress)
            }
            var pending: [EnqueueRowValidator.Row] = []
            pending.reserveCapacity(options.batchSize)
            var rows = RowSource(input: input, options: options)
            while let parsed = try await rows.next() {
                try Task.checkCancellation()
                state.rowsRead += 1
                switch parsed.flatMap(validator.validate) {
                case .success(let row):
                    pending.append(row)
                    if pending.count >= options.batchSize {
                        try await collect()
                        let batch = pending
                        inserts.addTask { try await insert(batch, on: connection) }
                        inFlight = true
                        pending.removeAll(keepingCapacity: true)
                    }
                case .failure(let rejection):
                    state.reject(rejection)
                }
            }
            try await collect()
            if !pending.isEmpty {
                state.apply(try await insert(pending, on: connection))
            }
            progress?(state.progress)
            return EnqueueReport(
                batchID: options.batchID, format: options.format, rowsRead: state.rowsRead, inserted: state.inserted,
                alreadyPresent: state.alreadyPresent, rejectedCount: state.rejected,
                rejections: state.rejections.sorted { $0.line < $1.line }, duration: ContinuousClock.now - started,
                specWarnings: options.warnings.lines, trackingIDWarnings: options.trackingIDs.lines)
        }
    }

    // MARK: - Inserting

    /// The staging table of ``InsertMethod/copy``: one per session, emptied by every commit.
    private static let stagingSQL = """
        CREATE TEMPORARY TABLE IF NOT EXISTS idv_enqueue_staging (
            n int, external_ref text, config_name text, session_spec text, ibv_instructions text
        ) ON COMMIT DELETE ROWS
        """

    private static let copySQL =
        "COPY idv_enqueue_staging (n, external_ref, config_name, session_spec, ibv_instructions) FROM STDIN"

    private static let insertFromStagingSQL = """
        INSERT INTO idv.verification_requests (batch_id, external_ref, config_name, session_spec, ibv_instructions)
        SELECT $1, s.external_ref, s.config_name, s.session_spec::jsonb, s.ibv_instructions::jsonb
        FROM idv_enqueue_staging AS s
        ORDER BY s.n
        ON CONFLICT (batch_id, external_ref) DO NOTHING
        """

    private static let insertSQL = """
        INSERT INTO idv.verification_requests (batch_id, external_ref, config_name, session_spec, ibv_instructions)
        SELECT $1, r.external_ref, r.config_name, r.session_spec::jsonb, r.ibv_instructions::jsonb
        FROM unnest($2::text[], $3::text[], $4::text[], $5::text[]) WITH ORDINALITY
            AS r(external_ref, config_name, session_spec, ibv_instructions, n)
        ORDER BY r.n
        ON CONFLICT (batch_id, external_ref) DO NOTHING
        """

    /// What inserting one batch did.
    struct InsertOutcome: Sendable {
        var inserted = 0
        var alreadyPresent = 0
        var rejections: [EnqueueRejection] = []
    }

    /// Inserts `rows` at once (COPY and INSERT in one transaction, or one statement); if PostgreSQL
    /// refuses the data, retries them one by one so only the offending rows are rejected.
    private func insert(_ rows: [EnqueueRowValidator.Row], on connection: PostgresConnection) async throws
        -> InsertOutcome
    {
        var outcome = InsertOutcome()
        do {
            switch options.insertMethod {
            case .copy: outcome.inserted = try await copyAndInsert(rows, on: connection)
            case .arrays: outcome.inserted = try await insertStatement(rows, on: connection)
            }
            outcome.alreadyPresent = rows.count - outcome.inserted
        } catch let error as PostgresError where Self.isDataError(error) {
            for row in rows {
                do {
                    let inserted = try await insertStatement([row], on: connection)
                    outcome.inserted += inserted
                    outcome.alreadyPresent += 1 - inserted
                } catch let error as PostgresError where Self.isDataError(error) {
                    outcome.rejections.append(
                        EnqueueRejection(line: row.line, reason: "PostgreSQL refused the row: \(error.message)"))
                }
            }
        }
        return outcome
    }

    private func copyAndInsert(_ rows: [EnqueueRowValidator.Row], on connection: PostgresConnection) async throws
        -> Int
    {
        var text = PostgresCopyText()
        for (index, row) in rows.enumerated() {
            text.appendRow([String(index), row.externalRef, row.configName, row.specJSON, row.instructionsJSON])
        }
        return try await OperationError.database("insert rows", passThrough: Self.isDataError) {
            try await connection.withTransaction { connection in
                try await connection.copyIn(Self.copySQL, data: text.bytes)
                return try await connection.execute(Self.insertFromStagingSQL, [.text(options.batchID)])
            }
        }
    }

    private func insertStatement(_ rows: [EnqueueRowValidator.Row], on connection: PostgresConnection) async throws
        -> Int
    {
        try await OperationError.database("insert rows", passThrough: Self.isDataError) {
            try await connection.query(
                Self.insertSQL,
                [
                    .text(options.batchID),
                    .textArray(rows.map(\.externalRef)),
                    .textArray(rows.map(\.configName)),
                    .textArray(rows.map(\.specJSON)),
                    .textArray(rows.map(\.instructionsJSON)),
                ]
            ).affectedRows
        }
    }

    /// SQLSTATE class 22 (data exception) and 54 (program limit, e.g. a value too large): the data is
    /// at fault, not the connection, so the other rows can still go in.
    private static func isDataError(_ error: PostgresError) -> Bool {
        guard error.code == .server, let state = error.sqlState else { return false }
        return state.hasPrefix("22") || state.hasPrefix("54")
    }

    private func loadCatalog() async throws -> SpecCatalog {
        try await OperationError.database("read the named configurations") {
            try await SpecCatalog.load(from: database, strict: options.strict, warnings: options.warnings)
        }
    }
}

/// Running totals of one load.
private struct LoadState {
    let maxReported: Int
    var rowsRead = 0
    var inserted = 0
    var alreadyPresent = 0
    var rejected = 0
    var rejections: [EnqueueRejection] = []

    init(maxReported: Int) { self.maxReported = maxReported }

    mutating func apply(_ outcome: Enqueuer.InsertOutcome) {
        inserted += outcome.inserted
        alreadyPresent += outcome.alreadyPresent
        for rejection in outcome.rejections { reject(rejection) }
    }

    mutating func reject(_ rejection: EnqueueRejection) {
        rejected += 1
        // Rows rejected by the database come after later lines were read: keep the earliest lines.
        if rejections.count < maxReported {
            rejections.append(rejection)
        } else if let last = rejections.indices.max(by: { rejections[$0].line < rejections[$1].line }),
            rejections[last].line > rejection.line
        {
            rejections[last] = rejection
        }
    }

    var progress: Enqueuer.Progress {
        Enqueuer.Progress(rowsRead: rowsRead, inserted: inserted, alreadyPresent: alreadyPresent, rejected: rejected)
    }
}
