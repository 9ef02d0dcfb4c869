import Foundation
import IDVLogging
import Logging
import PostgresClient
import ServiceLifecycle
import SystemSupport
import YotiClient

/// `idv-batch purge`: the retention sweep. Removes the personal data of finished rows once the policy's
/// period for each kind has passed (``RetentionPolicy``), skipping batches under legal hold.
///
/// Chunked like the expiry sweep: each chunk is its own short transaction over at most `chunkSize` rows
/// taken with `FOR UPDATE SKIP LOCKED`, and rows a step holds (leased) are left for the next purge, so it runs
/// beside `run`, `sync` and the receiver. One purge at a time (a session-level advisory lock). Sessions are
/// deleted at Yoti through the engine's delete step (``PurgeSessionStep``); a 409 waits for the next purge.
package struct Purger: Sendable {
    /// What to purge and how.
    package struct Options: Sendable {
        /// Batches to purge; empty (default) = all.
        package var batches: [String] = []
        /// Purge as if it were this instant (default: the database's `now()`).
        package var asOf: Date?
        /// Count only; change nothing.
        package var dryRun = false
        package var policy = RetentionPolicy()
        /// Rows per chunk (one transaction each; default 1,000).
        package var chunkSize = 1_000
        /// Remote deletes in flight at most (default 8).
        package var deleteConcurrency = 8
        /// Timeout of one delete call (default 30 s).
        package var requestTimeout: Duration = .seconds(30)
        /// This purge's name in `idv.runs`.
        package var workerID = RunnerConfiguration.defaultWorkerID()
        package var metrics = RetentionMetrics()
        /// The exit code an interrupted purge records (default 130; the CLI gives 143 after SIGTERM).
        package var interruptedExitCode: @Sendable () -> Int32 = { 130 }

        package init(batches: [String] = [], asOf: Date? = nil, dryRun: Bool = false, policy: RetentionPolicy = .init())
        {
            self.batches = batches
            self.asOf = asOf
            self.dryRun = dryRun
            self.policy = policy
        }
    }

    /// The advisory lock key every purge takes ("idv_purg").
    package static let lockKey: Int64 = 0x6964_765F_7075_7267

    let database: PostgresConfiguration
    let options: Options
    let deleter: (any SessionDeleting)?
    let logger: Logger

    /// A purger; `deleter` (the Yoti client) deletes sessions at Yoti, without one they stay requested.
    package init(
        database: PostgresConfiguration, options: Options, deleter: (any SessionDeleting)? = nil,
        logger: Logger = Logger(label: "idv-batch.purge") { _ in SwiftLogNoOpLogHandler() }
    ) {
        self.database = database
        self.options = options
        self.deleter = deleter
        self.logger = logger
    }

    /// Purges once.
    /// - Throws: ``OperationError`` `.usage`, `.database`; `CancellationError`.
    package func purge() async throws -> PurgeReport {
        guard options.chunkSize >= 1, options.deleteConcurrency >= 1 else {
            throw OperationError(code: .usage, message: "--chunk-size and --delete-concurrency must be at least 1.")
        }
        let connection = try await OperationError.database("connect") { try await PostgresConnection.connect(database) }
        do {
            let report = try await OperationError.database("purge personal data") { try await purge(on: connection) }
            await connection.close()
            return report
        } catch {
            await connection.close()
            throw error
        }
    }

    private func purge(on connection: PostgresConnection) async throws -> PurgeReport {
        let started = ContinuousClock.now
        let locked = try await connection.query("SELECT pg_try_advisory_lock($1) AS locked", [.bigint(Self.lockKey)])
        let asOf: Date
        if let given = options.asOf {
            asOf = given
        } else {
            asOf = try await connection.query("SELECT now() AS now")[0].decode(Date.self, "now")
        }
        var report = PurgeReport(outcome: options.dryRun ? .dryRun : .completed, asOf: asOf, policy: options.policy)
        guard try locked[0].decode(Bool.self, "locked") else {
            report.outcome = .anotherPurgeRunning
            return report
        }
        report.held = try await heldBatches(on: connection)
        if options.dryRun {
            try await countDue(asOf: asOf, on: connection, into: &report)
            report.duration = ContinuousClock.now - started
            return report
        }
        let runID = try await startRun(asOf: asOf, on: connection)
        report.runID = runID
        try await purgePersonalInputs(asOf: asOf, on: connection, into: &report)
        for kind in [RetentionPolicy.Kind.results, .notifications, .yotiSessions] {
            guard let seconds = options.policy[kind].seconds, !Task.isShuttingDownGracefully else { continue }
            let sql =
                switch kind {
                case .results: Self.resultsSQL
                case .notifications: Self.notificationsSQL
                default: Self.requestSessionDeleteSQL
                }
            let byBatch = try await chunked(sql: sql, asOf: asOf, seconds: seconds, on: connection)
            report.purged[kind] = byBatch
            options.metrics.purged(kind, count: byBatch.values.reduce(0, +))
        }
        if Task.isShuttingDownGracefully {
            report.outcome = .interrupted
        } else if let deleter {
            try await deleteSessions(with: deleter, runID: runID, into: &report)
        } else {
            report.remoteWaitingForCredentials = try await connection.query(
                """
                SELECT count(*) AS n FROM idv.verification_requests r
                WHERE \(PurgeSessionStep.statementParts.runnable) AND \(selectionPredicate(column: "r.batch_id", parameter: 1))
                """, [.textArray(options.batches)])[0].decode(Int.self, "n")
        }
        report.overdueRows = try await Self.overdueRows(
            asOf: asOf, policy: options.policy, batches: options.batches, query: { try await connection.query($0, $1) })
        options.metrics.overdue(report.overdueRows)
        if report.outcome == .interrupted { report.interruptedExitCode = options.interruptedExitCode() }
        report.duration = ContinuousClock.now - started
        options.metrics.finished(duration: report.duration, exitCode: report.exitCode)
        try await finishRun(runID, report: report, on: connection)
        logger.info(
            "Purge finished",
            metadata: [
                LogKey.runID: "\(runID)", LogKey.worker: "\(options.workerID)",
                "personal_inputs": "\(report.total(.personalInputs))", "results": "\(report.total(.results))",
                "notifications": "\(report.total(.notifications))", "yoti_sessions": "\(report.total(.yotiSessions))",
                "letters.deleted": "\(report.lettersDeleted)", "letters.missing": "\(report.lettersMissing)",
                "rows.failed": "\(report.failures.count)", "held_batches": "\(report.held.count)",
            ])
        return report
    }

    // MARK: - Personal inputs

    /// One chunk of personal inputs due: `$1` as of, `$2` period seconds, `$3` batches, `$4` chunk size, `$5`
    /// row ids that already failed in this purge (not taken again).
    static let personalInputsDueSQL = """
        SELECT r.id, r.batch_id, r.letter_path FROM idv.verification_requests r
        WHERE r.personal_data_purged_at IS NULL AND \(RetentionSQL.due(asOf: "$1", seconds: "$2"))
          AND r.lease_operation IS NULL AND \(RetentionSQL.notHeld)
          AND \(selectionPredicate(column: "r.batch_id", parameter: 3)) AND r.id <> ALL ($5::bigint[])
        ORDER BY r.batch_id, r.id
        LIMIT $4
        FOR UPDATE OF r SKIP LOCKED
        """

    /// Clears a row's personal inputs and marks it purged (the same statement erase uses).
    static let clearPersonalInputsSQL = """
        UPDATE idv.verification_requests
        SET session_spec = NULL, ibv_instructions = NULL, letter_path = NULL, personal_data_purged_at = now()
        WHERE id = ANY ($1::bigint[])
        """

    private func purgePersonalInputs(asOf: Date, on connection: PostgresConnection, into report: inout PurgeReport)
        async throws
    {
        guard let seconds = options.policy.personalInputs.seconds else { return }
        var failed: [Int64?] = []
        var byBatch: [String: Int] = [:]
        while !Task.isShuttingDownGracefully {
            try Task.checkCancellation()
            let taken = try await connection.withTransaction { connection in
                let rows = try await connection.query(
                    Self.personalInputsDueSQL,
                    [
                        .timestamp(asOf), .double(Double(seconds)), .textArray(options.batches),
                        .int(options.chunkSize), .bigintArray(failed),
                    ])
                var cleared: [Int64?] = []
                let removals = try await LetterFile.remove(rows.map { try $0.decode(String?.self, "letter_path") })
                for (row, removal) in zip(rows, removals) {
                    let id = try row.decode(Int64.self, "id")
                    let batch = try row.decode(String.self, "batch_id")
                    switch removal {
                    case .none:
                        cleared.append(id)
                    case .deleted:
                        report.lettersDeleted += 1
                        options.metrics.letter("deleted", count: 1)
                        cleared.append(id)
                    case .missing:
                        report.lettersMissing += 1
                        options.metrics.letter("missing", count: 1)
                        cleared.append(id)
                    case .failed(let reason):
                        failed.append(id)
                        options.metrics.letter("failed", count: 1)
                        report.failures.append(.init(rowID: id, batchID: batch, reason: reason))
                        continue
                    }
                    byBatch[batch, default: 0] += 1
                }
                if !cleared.isEmpty {
                    try await connection.execute(Self.clearPersonalInputsSQL, [.bigintArray(cleared)])
                }
                options.metrics.purged(.personalInputs, count: cleared.count)
                return rows.count
            }
            if taken < options.chunkSize { break }
        }
        report.purged[.personalInputs] = byBatch
    }

    // MARK: - Results, notifications, session deletes

    /// Chunk statements: `$1` as of, `$2` period seconds, `$3` batches, `$4` chunk size; each returns `batch_id`.
    static let resultsSQL = """
        WITH due AS (
            SELECT r.id FROM idv.verification_requests r
            WHERE (r.result_outcome IS NOT NULL OR r.result_recommendation IS NOT NULL)
              AND \(RetentionSQL.due(asOf: "$1", seconds: "$2")) AND r.lease_operation IS NULL AND \(RetentionSQL.notHeld)
              AND \(selectionPredicate(column: "r.batch_id", parameter: 3))
            ORDER BY r.id LIMIT $4
            FOR UPDATE OF r SKIP LOCKED
        )
        UPDATE idv.verification_requests AS r SET result_outcome = NULL, result_recommendation = NULL
        FROM due WHERE r.id = due.id
        RETURNING r.batch_id
        """

    /// Processed notifications (processed after their last delivery) whose payload is still stored.
    static let notificationsSQL = """
        WITH due AS (
            SELECT n.id FROM idv.notifications n
            WHERE n.processed_at IS NOT NULL AND n.processed_at >= n.last_received_at
              AND n.processed_at <= $1 - make_interval(secs => $2) AND n.body <> '{}'::jsonb
              AND NOT EXISTS (
                  SELECT 1 FROM idv.verification_requests r
                  WHERE r.session_id = n.session_id AND NOT \(RetentionSQL.notHeld))
              AND (cardinality($3::text[]) = 0 OR EXISTS (
                  SELECT 1 FROM idv.verification_requests r
                  WHERE r.session_id = n.session_id AND \(selectionPredicate(column: "r.batch_id", parameter: 3))))
            ORDER BY n.id LIMIT $4
            FOR UPDATE OF n SKIP LOCKED
        )
        UPDATE idv.notifications AS n SET body = '{}'::jsonb
        FROM due WHERE n.id = due.id
        RETURNING coalesce(
            (SELECT r.batch_id FROM idv.verification_requests r WHERE r.session_id = n.session_id LIMIT 1), '') AS batch_id
        """

    /// Finished rows past their yoti_sessions period: asks for their session to be deleted at Yoti.
    static let requestSessionDeleteSQL = """
        WITH due AS (
            SELECT r.id FROM idv.verification_requests r
            WHERE r.remote_delete_requested_at IS NULL AND r.session_id IS NOT NULL AND r.remote_deleted_at IS NULL
              AND \(RetentionSQL.due(asOf: "$1", seconds: "$2")) AND r.lease_operation IS NULL AND \(RetentionSQL.notHeld)
              AND \(selectionPredicate(column: "r.batch_id", parameter: 3))
            ORDER BY r.id LIMIT $4
            FOR UPDATE OF r SKIP LOCKED
        )
        UPDATE idv.verification_requests AS r SET remote_delete_requested_at = now()
        FROM due WHERE r.id = due.id
        RETURNING r.batch_id
        """

    private func chunked(sql: String, asOf: Date, seconds: Int64, on connection: PostgresConnection) async throws
        -> [String: Int]
    {
        var byBatch: [String: Int] = [:]
        while !Task.isShuttingDownGracefully {
            try Task.checkCancellation()
            let rows = try await connection.query(
                sql, [.timestamp(asOf), .double(Double(seconds)), .textArray(options.batches), .int(options.chunkSize)])
            for row in rows { byBatch[try row.decode(String.self, "batch_id"), default: 0] += 1 }
            if rows.count < options.chunkSize { break }
        }
        return byBatch
    }

    private func deleteSessions(with deleter: any SessionDeleting, runID: Int64, into report: inout PurgeReport)
        async throws
    {
        var configuration = RunnerConfiguration(
            batches: options.batches, concurrency: options.deleteConcurrency, requestTimeout: options.requestTimeout)
        configuration.maxAttempts = Int.max
        configuration.onUnknown = .retry
        configuration.workerID = options.workerID
        configuration.metrics = .discarding
        let pool = PostgresPool(configuration: database, maxConnections: 4)
        let step = PurgeSessionStep(delete: DeleteSessionStep(deleter: deleter))
        let presence = await WorkerPresence.registerIfPossible(
            database: pool, name: options.workerID, operation: step.operation, logger: logger)
        let engine = StepEngine(
            step: step, configuration: configuration, database: pool, runID: runID, presence: presence, total: 0,
            progress: nil, logger: logger)
        let result = await engine.run()
        await presence?.release()
        await pool.shutdown()
        for (label, count) in result.counters.byLabel where count > 0 {
            report.remoteDeletes[label] = count
            options.metrics.remoteDeleted(label, count: count)
        }
        switch result.stopReason {
        case .credentialsRejected:
            report.outcome = .credentialsRejected
            report.detail =
                "Yoti rejected the credentials (401/403): check --sdk-id / YOTI_CLIENT_SDK_ID and the key file; "
                + "the remaining deletes are left for the next purge."
        case .databaseUnavailable:
            throw OperationError(
                code: .database,
                message: "The database failed during remote deletes: \(result.stopDetail ?? "unknown error").")
        case .interrupted:
            report.outcome = .interrupted
        case .cancelled:
            throw CancellationError()
        default:
            break
        }
    }

    // MARK: - Counting

    private func countDue(asOf: Date, on connection: PostgresConnection, into report: inout PurgeReport) async throws {
        let seconds: (RetentionPolicy.Kind) -> PostgresValue = { kind in
            options.policy[kind].seconds.map { .double(Double($0)) } ?? .null
        }
        let rows = try await connection.query(
            """
            SELECT r.batch_id,
                   count(*) FILTER (WHERE $2::float8 IS NOT NULL AND r.personal_data_purged_at IS NULL
                                      AND \(RetentionSQL.due(asOf: "$1", seconds: "$2"))) AS personal_inputs,
                   count(*) FILTER (WHERE $3::float8 IS NOT NULL
                                      AND (r.result_outcome IS NOT NULL OR r.result_recommendation IS NOT NULL)
                                      AND \(RetentionSQL.due(asOf: "$1", seconds: "$3"))) AS results,
                   count(*) FILTER (WHERE $4::float8 IS NOT NULL AND r.session_id IS NOT NULL
                                      AND r.remote_deleted_at IS NULL
                                      AND (r.remote_delete_requested_at IS NOT NULL
                                           OR \(RetentionSQL.due(asOf: "$1", seconds: "$4")))) AS yoti_sessions
            FROM idv.verification_requests r
            WHERE r.lease_operation IS NULL AND \(RetentionSQL.notHeld)
              AND \(selectionPredicate(column: "r.batch_id", parameter: 5))
            GROUP BY r.batch_id
            """,
            [
                .timestamp(asOf), seconds(.personalInputs), seconds(.results), seconds(.yotiSessions),
                .textArray(options.batches),
            ])
        for row in rows {
            let batch = try row.decode(String.self, "batch_id")
            for kind in [RetentionPolicy.Kind.personalInputs, .results, .yotiSessions] {
                let count = try row.decode(Int.self, kind.rawValue)
                if count > 0 { report.purged[kind, default: [:]][batch] = count }
            }
        }
        if let period = options.policy.notifications.seconds {
            let notifications = try await connection.query(
                """
                SELECT coalesce((SELECT r.batch_id FROM idv.verification_requests r
                                 WHERE r.session_id = n.session_id LIMIT 1), '') AS batch_id, count(*) AS n
                FROM idv.notifications n
                WHERE n.processed_at IS NOT NULL AND n.processed_at >= n.last_received_at
                  AND n.processed_at <= $1 - make_interval(secs => $2) AND n.body <> '{}'::jsonb
                  AND NOT EXISTS (
                      SELECT 1 FROM idv.verification_requests r
                      WHERE r.session_id = n.session_id AND NOT \(RetentionSQL.notHeld))
                GROUP BY 1
                """, [.timestamp(asOf), .double(Double(period))])
            for row in notifications {
                let batch = try row.decode(String.self, "batch_id")
                guard options.batches.isEmpty || options.batches.contains(batch) else { continue }
                report.purged[.notifications, default: [:]][batch] = try row.decode(Int.self, "n")
            }
        }
    }

    private func heldBatches(on connection: PostgresConnection) async throws -> [PurgeReport.HeldBatch] {
        try await connection.query(
            """
            SELECT b.batch_id, b.held_by, b.hold_reason,
                   (SELECT count(*) FROM idv.verification_requests r
                    WHERE r.batch_id = b.batch_id AND r.personal_data_purged_at IS NULL) AS rows
            FROM idv.batches b
            WHERE b.held_at IS NOT NULL AND \(selectionPredicate(column: "b.batch_id", parameter: 1))
            ORDER BY b.batch_id
            """, [.textArray(options.batches)]
        ).map {
            PurgeReport.HeldBatch(
                batchID: try $0.decode(String.self, "batch_id"), heldBy: try $0.decode(String?.self, "held_by"),
                reason: try $0.decode(String?.self, "hold_reason"),
                rowsWithPersonalData: try $0.decode(Int.self, "rows"))
        }
    }

    /// Rows past their personal_inputs period that still hold personal data, outside held batches: what
    /// `idv_personal_data_overdue_rows` reports (0 when purge keeps up; 0 when the period is never).
    package static func overdueRows(
        asOf: Date?, policy: RetentionPolicy, batches: [String],
        query: (String, [PostgresValue]) async throws -> PostgresRows
    ) async throws -> Int {
        guard let seconds = policy.personalInputs.seconds else { return 0 }
        return try await query(
            """
            SELECT count(*) AS n FROM idv.verification_requests r
            WHERE r.personal_data_purged_at IS NULL
              AND \(RetentionSQL.due(asOf: "coalesce($1::timestamptz, now())", seconds: "$2"))
              AND \(RetentionSQL.notHeld) AND \(selectionPredicate(column: "r.batch_id", parameter: 3))
            """, [asOf.map { .timestamp($0) } ?? .null, .double(Double(seconds)), .textArray(batches)]
        )[0].decode(Int.self, "n")
    }

    // MARK: - idv.runs

    private func startRun(asOf: Date, on connection: PostgresConnection) async throws -> Int64 {
        try await connection.query(
            """
            INSERT INTO idv.runs (kind, batch_ids, worker, host, pid, started_at, details)
            VALUES ('purge', $1::text[], $2, $3, $4, now(),
                    jsonb_build_object('as_of', $5::timestamptz, 'policy', $6::text, 'chunk_size', $7::int))
            RETURNING id
            """,
            [
                options.batches.isEmpty ? .null : .textArray(options.batches), .text(options.workerID),
                .text(ProcessInfo.processInfo.hostName), .int(Int(ProcessInfo.processInfo.processIdentifier)),
                .timestamp(asOf), .text(options.policy.summary), .int(options.chunkSize),
            ]
        )[0].decode(Int64.self, "id")
    }

    private func finishRun(_ runID: Int64, report: PurgeReport, on connection: PostgresConnection) async throws {
        try await connection.execute(
            """
            UPDATE idv.runs
            SET finished_at = now(), exit_code = $2, rows_failed = $9,
                details = coalesce(details, '{}'::jsonb) || jsonb_build_object(
                    'outcome', $3::text, 'personal_inputs', $4::int, 'results', $5::int, 'notifications', $6::int,
                    'yoti_sessions', $7::int, 'letters_deleted', $8::int, 'letters_missing', $10::int,
                    'failed_row_ids', $11::bigint[], 'held_batches', $12::text[], 'overdue_rows', $13::int)
            WHERE id = $1
            """,
            [
                .bigint(runID), .int(Int(report.exitCode)), .text(report.outcome.description),
                .int(report.total(.personalInputs)), .int(report.total(.results)), .int(report.total(.notifications)),
                .int(report.total(.yotiSessions)), .int(report.lettersDeleted), .int(report.failures.count),
                .int(report.lettersMissing), .bigintArray(report.failures.map(\.rowID)),
                .textArray(report.held.map(\.batchID)), .int(report.overdueRows),
            ])
    }
}

/// Removing a letter file: what happened, with the system's reason (never the path) when it failed.
enum LetterFile {
    enum Removal: Equatable {
        case none, deleted, missing
        case failed(String)
    }

    static func remove(_ path: String?) -> Removal {
        guard let path, !path.isEmpty else { return .none }
        if unlink(path) == 0 { return .deleted }
        let code = errno
        if code == ENOENT { return .missing }
        return .failed(String(cString: strerror(code)))
    }

    /// Removes the letters of a chunk of rows on a thread of its own, not the cooperative pool (`unlink` blocks,
    /// for long on a network file system), in one hop per chunk.
    static func remove(_ paths: [String?]) async throws -> [Removal] {
        guard paths.contains(where: { !($0 ?? "").isEmpty }) else { return paths.map { _ in .none } }
        return try await offCooperativePool { paths.map(remove) }
    }
}
