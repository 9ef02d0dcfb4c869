import Foundation
import IDVLogging
import Logging
import PostgresClient
import ServiceLifecycle
import YotiClient

/// `idv-batch expire`: rows `created` whose token has run out become `expired` with the token cleared,
/// and with `deleteRemote` their sessions are deleted at Yoti.
///
/// Set-based and chunked: each chunk is one short autocommitted statement (`WITH due AS (SELECT …
/// LIMIT n FOR UPDATE SKIP LOCKED) UPDATE …`), so no lock is held for long, rows a runner is writing
/// are skipped rather than waited for, and a crash loses nothing (run again). Only rows already
/// `created` are touched, so rows being created by a concurrent `run` are never affected.
/// One sweep at a time: a session-level `pg_try_advisory_lock`; a second sweep reports
/// ``ExpirySweepReport/Outcome/anotherSweepRunning`` and does nothing.
package struct ExpirySweeper: Sendable {
    /// What to sweep and how.
    package struct Options: Sendable {
        /// Batches to sweep; empty (default) = all.
        package var batches: [String]
        /// Compare token expiry against this instant instead of the database's `now()` (default `nil`).
        package var asOf: Date?
        /// Count only; change nothing (default `false`).
        package var dryRun: Bool
        /// Also delete expired rows' sessions at Yoti (default `false`; needs a ``SessionDeleting``).
        package var deleteRemote: Bool
        /// Rows per expiry statement (default 5,000).
        package var chunkSize: Int
        /// Remote deletes in flight at most (default 8).
        package var deleteConcurrency: Int
        /// Timeout of one delete call; sizes the delete step's leases (default 30 s).
        package var requestTimeout: Duration
        /// This sweep's name in `idv.runs` (default ``RunnerConfiguration/defaultWorkerID()``).
        package var workerID: String
        /// Where the sweep's metrics go (default: the global `MetricsSystem.factory`).
        package var metrics: ExpiryMetrics
        /// The exit code an interrupted sweep records (default 130; the CLI gives 143 after SIGTERM).
        package var interruptedExitCode: @Sendable () -> Int32

        /// Options with the defaults listed on each property.
        package init(batches: [String] = [], asOf: Date? = nil, dryRun: Bool = false, deleteRemote: Bool = false) {
            self.batches = batches
            self.asOf = asOf
            self.dryRun = dryRun
            self.deleteRemote = deleteRemote
            self.chunkSize = 5_000
            self.deleteConcurrency = 8
            self.requestTimeout = .seconds(30)
            self.workerID = RunnerConfiguration.defaultWorkerID()
            self.metrics = ExpiryMetrics()
            self.interruptedExitCode = { 130 }
        }
    }

    /// The advisory lock key every sweep takes ("idv_expi").
    package static let lockKey: Int64 = 0x6964_765F_6578_7069

    let database: PostgresConfiguration
    let options: Options
    let deleter: (any SessionDeleting)?
    let logger: Logger

    /// A sweeper.
    /// - Parameters:
    ///   - database: where to connect; the sweep opens one connection of its own (it holds the lock).
    ///   - deleter: the Yoti client, required when `options.deleteRemote` (and not a dry run).
    package init(
        database: PostgresConfiguration, options: Options, deleter: (any SessionDeleting)? = nil,
        logger: Logger = Logger(label: "idv-batch.expire") { _ in SwiftLogNoOpLogHandler() }
    ) {
        self.database = database
        self.options = options
        self.deleter = deleter
        self.logger = logger
    }

    /// Sweeps once.
    /// - Returns: the report; its exit code is 3 when Yoti rejected the credentials, else 0.
    /// - Throws: ``OperationError`` `.usage` (bad options), `.database`; `CancellationError`.
    package func sweep() async throws -> ExpirySweepReport {
        guard options.chunkSize >= 1, options.deleteConcurrency >= 1 else {
            throw OperationError(code: .usage, message: "--chunk-size and --delete-concurrency must be at least 1.")
        }
        if options.deleteRemote, !options.dryRun, deleter == nil {
            throw OperationError(
                code: .usage, message: "--delete-remote needs Yoti credentials (--sdk-id and --key-file).")
        }
        let connection = try await OperationError.database("connect") { try await PostgresConnection.connect(database) }
        do {
            let report = try await OperationError.database("sweep expired tokens") { try await sweep(on: connection) }
            await connection.close()
            return report
        } catch {
            // Closing the session releases the advisory lock whatever happened.
            await connection.close()
            throw error
        }
    }

    private func sweep(on connection: PostgresConnection) async throws -> ExpirySweepReport {
        let started = ContinuousClock.now
        let locked = try await connection.query("SELECT pg_try_advisory_lock($1) AS locked", [.bigint(Self.lockKey)])
        guard try locked[0].decode(Bool.self, "locked") else {
            return ExpirySweepReport(
                outcome: .anotherSweepRunning, asOf: options.asOf, expired: 0, deleteRemote: options.deleteRemote,
                remoteDeleted: 0, remoteAlreadyGone: 0, remoteConflicts: 0, remoteTransient: 0, remoteFailed: 0,
                runID: nil, detail: nil, duration: ContinuousClock.now - started)
        }
        let asOf: Date
        if let given = options.asOf {
            asOf = given
        } else {
            asOf = try await connection.query("SELECT now() AS now")[0].decode(Date.self, "now")
        }
        var report = ExpirySweepReport(
            outcome: options.dryRun ? .dryRun : .completed, asOf: asOf, expired: 0, deleteRemote: options.deleteRemote,
            remoteDeleted: 0, remoteAlreadyGone: 0, remoteConflicts: 0, remoteTransient: 0, remoteFailed: 0,
            runID: nil, detail: nil, duration: .zero)
        if options.dryRun {
            try await countDue(asOf: asOf, on: connection, into: &report)
            report.duration = ContinuousClock.now - started
            return report
        }
        let runID = try await startRun(asOf: asOf, on: connection)
        report.runID = runID
        report.expired = try await expireDue(asOf: asOf, on: connection)
        report.completedTokensCleared = try await clearCompletedTokens(on: connection)
        if options.deleteRemote && !Task.isShuttingDownGracefully {
            report.remoteSkippedOngoing = try await deferOngoing(on: connection)
            options.metrics.remoteDeleted(
                RemoteDeleteOutcome.deferredOngoing.status, count: report.remoteSkippedOngoing)
        }
        if Task.isShuttingDownGracefully {
            report.outcome = .interrupted
        } else if options.deleteRemote, let deleter {
            try await deleteRemote(with: deleter, runID: runID, into: &report)
        }
        if report.outcome == .interrupted { report.interruptedExitCode = options.interruptedExitCode() }
        report.duration = ContinuousClock.now - started
        options.metrics.sweepFinished(duration: report.duration, exitCode: report.exitCode)
        try await finishRun(runID, report: report, on: connection)
        logger.info(
            "Expiry sweep finished",
            metadata: [
                LogKey.runID: "\(runID)", LogKey.worker: "\(options.workerID)", "expired": "\(report.expired)",
                "remote.deleted": "\(report.remoteDeleted)",
                "remote.deferred": "\(report.remoteDeferred)",
            ])
        return report
    }

    /// One chunk of ``clearCompletedTokens(on:)``: `$1` the batches (empty = all), `$2` the chunk size. Its
    /// rows are found through `verification_requests_completed_token_idx` (migration 0010), not by reading
    /// the table.
    static let clearCompletedTokensSQL = """
        WITH done AS (
            SELECT id FROM idv.verification_requests
            WHERE status = 'created' AND remote_state = 'COMPLETED' AND client_session_token IS NOT NULL
              AND \(selectionPredicate(parameter: 1))
            LIMIT $2
            FOR UPDATE SKIP LOCKED
        )
        UPDATE idv.verification_requests AS r
        SET client_session_token = NULL, updated_at = now()
        FROM done
        WHERE r.id = done.id
        """

    /// Clears the client session tokens of rows Yoti reports COMPLETED (sync's `remote_state`): the applicant
    /// is done, the token is of no further use. The row stays `created` (its session exists).
    private func clearCompletedTokens(on connection: PostgresConnection) async throws -> Int {
        var total = 0
        while !Task.isShuttingDownGracefully {
            try Task.checkCancellation()
            let changed = try await connection.execute(
                Self.clearCompletedTokensSQL, [.textArray(options.batches), .int(options.chunkSize)])
            total += changed
            if changed < options.chunkSize { return total }
        }
        return total
    }

    /// Records why the sessions sync saw ONGOING with unfinished checks are not deleted now
    /// (`remote_delete_status = 'deferred_ongoing'`: Yoti would answer 409); a later sweep after a sync that
    /// sees them finished deletes them.
    private func deferOngoing(on connection: PostgresConnection) async throws -> Int {
        try await connection.execute(
            """
            UPDATE idv.verification_requests AS r
            SET remote_delete_status = '\(RemoteDeleteOutcome.deferredOngoing.status)', updated_at = now()
            WHERE r.status IN ('expired', 'cancelled') AND r.session_id IS NOT NULL AND r.remote_deleted_at IS NULL
              AND r.lease_operation IS NULL
              AND r.remote_delete_status IS DISTINCT FROM '\(RemoteDeleteOutcome.failed.status)'
              AND r.remote_delete_status IS DISTINCT FROM '\(RemoteDeleteOutcome.deferredOngoing.status)'
              AND \(SessionResult.ongoingWithUnfinishedChecks)
              AND \(selectionPredicate(column: "r.batch_id", parameter: 1))
            """, [.textArray(options.batches)])
    }

    // MARK: - Expiring

    /// Expires due rows chunk by chunk; each chunk is its own short transaction.
    private func expireDue(asOf: Date, on connection: PostgresConnection) async throws -> Int {
        var total = 0
        // A graceful shutdown (SIGINT/SIGTERM) stops between chunks: the chunk in flight commits, the run is recorded.
        while !Task.isShuttingDownGracefully {
            try Task.checkCancellation()
            let changed = try await connection.execute(
                """
                WITH due AS (
                    SELECT id FROM idv.verification_requests
                    WHERE status = 'created' AND token_expires_at <= $1 AND \(selectionPredicate(parameter: 2))
                    ORDER BY token_expires_at, id
                    LIMIT $3
                    FOR UPDATE SKIP LOCKED
                )
                UPDATE idv.verification_requests AS r
                SET status = 'expired', client_session_token = NULL
                FROM due
                WHERE r.id = due.id
                """,
                [.timestamp(asOf), .textArray(options.batches), .int(options.chunkSize)])
            total += changed
            options.metrics.expired(changed)
            // A short chunk means nothing due is left unlocked; locked rows wait for the next sweep.
            if changed < options.chunkSize { return total }
        }
        return total
    }

    private func countDue(asOf: Date, on connection: PostgresConnection, into report: inout ExpirySweepReport)
        async throws
    {
        let rows = try await connection.query(
            """
            SELECT
                (SELECT count(*) FROM idv.verification_requests
                 WHERE status = 'created' AND token_expires_at <= $1 AND \(selectionPredicate(parameter: 2))) AS due,
                (SELECT count(*) FROM idv.verification_requests
                 WHERE session_id IS NOT NULL AND remote_deleted_at IS NULL AND \(selectionPredicate(parameter: 2))
                   AND ((status IN ('expired', 'cancelled') AND \(Self.retryableDelete)) OR (status = 'created' AND token_expires_at <= $1))
                ) AS remote
            """,
            [.timestamp(asOf), .textArray(options.batches)])
        report.expired = try rows[0].decode(Int.self, "due")
        report.remoteDeleted = options.deleteRemote ? try rows[0].decode(Int.self, "remote") : 0
    }

    // MARK: - Deleting at Yoti

    /// Rows whose earlier delete failed for good (`failed`) are not tried again automatically.
    private static let retryableDelete = "(remote_delete_status IS NULL OR remote_delete_status <> 'failed')"

    /// Deletes the sessions of expired rows through the step engine (``DeleteSessionStep``): leased and
    /// fenced claims, at most `deleteConcurrency` calls in flight, the batch's shared rate limit and 429
    /// pauses, every call in the ledger as `delete_session`; what fails transiently waits for a later sweep.
    private func deleteRemote(
        with deleter: any SessionDeleting, runID: Int64, into report: inout ExpirySweepReport
    ) async throws {
        var configuration = RunnerConfiguration(
            batches: options.batches, concurrency: options.deleteConcurrency, requestTimeout: options.requestTimeout)
        configuration.maxAttempts = Int.max
        configuration.onUnknown = .retry
        configuration.workerID = options.workerID
        configuration.metrics = .discarding
        let pool = PostgresPool(configuration: database, maxConnections: 4)
        let result = await StepEngine.runRegistered(
            DeleteSessionStep(deleter: deleter), configuration: configuration, database: pool, runID: runID,
            total: 0, progress: nil, logger: logger)
        await pool.shutdown()
        let counts = result.counters.byLabel
        report.remoteDeleted = counts[RemoteDeleteOutcome.deleted.status, default: 0]
        report.remoteAlreadyGone = counts[RemoteDeleteOutcome.notFound.status, default: 0]
        report.remoteConflicts = counts[RemoteDeleteOutcome.conflict.status, default: 0]
        report.remoteTransient = counts[RemoteDeleteOutcome.transient.status, default: 0]
        report.remoteFailed = counts[RemoteDeleteOutcome.failed.status, default: 0]
        for (label, count) in counts { options.metrics.remoteDeleted(label, count: count) }
        switch result.stopReason {
        case .credentialsRejected:
            report.outcome = .credentialsRejected
            report.detail =
                "Yoti rejected the credentials (401/403): check --sdk-id / YOTI_CLIENT_SDK_ID and the key file; "
                + "the remaining deletes are left for the next sweep."
        case .databaseUnavailable:
            throw OperationError(
                code: .database,
                message: "The database failed during remote deletes: \(result.stopDetail ?? "unknown error").")
        case .interrupted:
            // Deletes in flight finished and were recorded; the rest waits for the next sweep.
            report.outcome = .interrupted
        case .cancelled:
            throw CancellationError()
        default:
            break
        }
    }

    // MARK: - idv.runs

    private func startRun(asOf: Date, on connection: PostgresConnection) async throws -> Int64 {
        let rows = try await connection.query(
            """
            INSERT INTO idv.runs (kind, batch_ids, worker, host, pid, started_at, details)
            VALUES ('expire', $1::text[], $2, $3, $4, now(),
                    jsonb_build_object('as_of', $5::timestamptz, 'delete_remote', $6::boolean, 'chunk_size', $7::int))
            RETURNING id
            """,
            [
                // NULL means "all batches" in idv.runs.
                options.batches.isEmpty ? .null : .textArray(options.batches), .text(options.workerID),
                .text(ProcessInfo.processInfo.hostName),
                .int(Int(ProcessInfo.processInfo.processIdentifier)), .timestamp(asOf), .boolean(options.deleteRemote),
                .int(options.chunkSize),
            ])
        return try rows[0].decode(Int64.self, "id")
    }

    private func finishRun(_ runID: Int64, report: ExpirySweepReport, on connection: PostgresConnection) async throws {
        try await connection.execute(
            """
            UPDATE idv.runs
            SET finished_at = now(), exit_code = $2,
                details = coalesce(details, '{}'::jsonb) || jsonb_build_object(
                    'outcome', $3::text, 'expired', $4::int, 'remote_deleted', $5::int, 'remote_already_gone', $6::int,
                    'remote_conflicts', $7::int, 'remote_transient', $8::int, 'remote_failed', $9::int)
            WHERE id = $1
            """,
            [
                .bigint(runID), .int(Int(report.exitCode)), .text(report.outcome.description), .int(report.expired),
                .int(report.remoteDeleted), .int(report.remoteAlreadyGone), .int(report.remoteConflicts),
                .int(report.remoteTransient), .int(report.remoteFailed),
            ])
    }
}
