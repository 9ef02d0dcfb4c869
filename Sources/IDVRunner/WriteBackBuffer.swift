import Foundation
import IDVLogging
import Logging
import PostgresClient

/// Collects results and stores them in batches: one statement per flush, fenced by lease.
///
/// Results are flushed when `batchSize` have gathered (the caller's `append` then waits one round
/// trip) and by ``runFlushLoop()`` every `interval`, so thousands of results cost few round trips but
/// none waits long enough to be lost in a crash. A failed flush keeps its entries for the next one.
actor WriteBackBuffer {
    /// Counters for the summary and the round-trip figure.
    struct Statistics: Sendable, Hashable {
        var flushes = 0
        var entriesApplied = 0
        var entriesLeaseLost = 0
        var failedFlushes = 0
    }

    /// One statement: the row update applies only where the lease token still matches and the row is
    /// still in progress; the ledger update applies always and says which happened.
    static let flushSQL = """
        WITH u AS (
            SELECT *
            FROM unnest(
                $1::bigint[], $2::bigint[], $3::bigint[], $4::text[], $5::bigint[],
                $6::text[]::float8[], $7::text[], $8::text[], $9::text[]::float8[], $10::text[]::float8[],
                $11::text[], $12::bigint[], $13::text[], $14::text[]::boolean[], $15::text[]::boolean[],
                $16::text[]::float8[], $17::text[], $18::text[], $19::text[], $20::text[], $21::text[]
            ) AS u(request_id, lease_token, attempt_id, status, attempts,
                   retry_delay, session_id, client_session_token, token_expires_at, resources_expire_at,
                   last_error, last_http_status, error_class, possible_duplicate, replaces_error,
                   finished_at, outcome, yoti_code, yoti_request_id, ledger_error, user_tracking_id)
        ), upd AS (
            UPDATE idv.verification_requests r
            SET status = u.status,
                attempts = u.attempts,
                next_attempt_at = CASE WHEN u.status = 'pending'
                    THEN now() + make_interval(secs => coalesce(u.retry_delay, 0))
                    ELSE r.next_attempt_at END,
                session_id = CASE WHEN u.status = 'created' THEN u.session_id ELSE r.session_id END,
                client_session_token = CASE WHEN u.status = 'created'
                    THEN u.client_session_token ELSE r.client_session_token END,
                token_expires_at = CASE WHEN u.status = 'created' THEN to_timestamp(u.token_expires_at) ELSE r.token_expires_at END,
                resources_expire_at = CASE WHEN u.status = 'created'
                    THEN to_timestamp(u.resources_expire_at) ELSE r.resources_expire_at END,
                last_error = CASE WHEN u.replaces_error THEN u.last_error ELSE r.last_error END,
                last_http_status = CASE WHEN u.replaces_error THEN u.last_http_status ELSE r.last_http_status END,
                error_class = CASE WHEN u.replaces_error THEN u.error_class ELSE r.error_class END,
                possible_duplicate = r.possible_duplicate OR u.possible_duplicate,
                lease_owner = NULL,
                lease_expires_at = NULL,
                updated_at = now()
            FROM u
            WHERE r.id = u.request_id
              AND r.lease_token = u.lease_token
              AND r.status = 'in_progress'
            RETURNING r.id
        )
        UPDATE idv.attempts a
        SET finished_at = to_timestamp(u.finished_at),
            outcome = u.outcome,
            http_status = u.last_http_status,
            yoti_code = u.yoti_code,
            yoti_request_id = u.yoti_request_id,
            session_id = u.session_id,
            error = u.ledger_error,
            possible_duplicate = a.possible_duplicate OR u.possible_duplicate,
            user_tracking_id = coalesce(u.user_tracking_id, a.user_tracking_id),
            write_back = CASE WHEN upd.id IS NULL THEN 'lease_lost' ELSE 'applied' END
        FROM u
        LEFT JOIN upd ON upd.id = u.request_id
        WHERE a.id = u.attempt_id
        RETURNING a.id AS attempt_id, a.request_id, a.write_back, a.session_id
        """

    private let database: any RunnerDatabase
    private let batchSize: Int
    private let interval: Duration
    private let clock: RunnerClock
    private let logger: Logger
    private let metrics: RunMetrics
    private var entries: [WriteBack] = []
    private var statistics = Statistics()
    private var consecutiveFailures = 0
    private var lastFailure: (any Error)?

    /// - Parameters:
    ///   - batchSize: flush as soon as this many results wait (default 64).
    ///   - interval: flush at least this often while results wait (default 100 ms).
    ///   - metrics: counts results whose lease was lost (`idv_rows_total{outcome="lease_lost"}`).
    init(
        database: any RunnerDatabase,
        batchSize: Int = 64,
        interval: Duration = .milliseconds(100),
        clock: RunnerClock = .system,
        logger: Logger,
        metrics: RunMetrics = .discarding
    ) {
        self.database = database
        self.batchSize = max(1, batchSize)
        self.interval = interval
        self.clock = clock
        self.logger = logger
        self.metrics = metrics
    }

    /// Adds a result; flushes when a full batch is waiting.
    /// - Throws: nothing from the database: a failed flush keeps its entries and is retried by the loop.
    func append(_ entry: WriteBack) async {
        entries.append(entry)
        if entries.count >= batchSize {
            await flushOnce()
        }
    }

    /// Results not yet stored.
    var waiting: Int { entries.count }

    /// Counters so far.
    var currentStatistics: Statistics { statistics }

    /// How many flushes in a row have failed, and the last error (to decide the database is gone).
    var failureState: (consecutive: Int, last: (any Error)?) { (consecutiveFailures, lastFailure) }

    /// Flushes every `interval` until cancelled. Run it beside the window.
    func runFlushLoop() async {
        while !Task.isCancelled {
            do {
                try await clock.sleep(interval)
            } catch {
                return
            }
            if !entries.isEmpty { await flushOnce() }
        }
    }

    /// Stores everything waiting, retrying a failed flush up to `attempts` times with a short pause.
    /// Call it at shutdown from a task that is not cancelled (a cancelled query is aborted).
    /// - Throws: the last database error when the entries could not be stored.
    func drain(attempts: Int = 5) async throws {
        var tries = 0
        while !entries.isEmpty {
            tries += 1
            if await flushOnce() { continue }
            if tries >= attempts {
                throw lastFailure ?? CancellationError()
            }
            try? await clock.sleep(.milliseconds(200 * tries))
        }
    }

    /// One flush of what is waiting now. Returns `false` when it failed (the entries are kept).
    @discardableResult
    func flushOnce() async -> Bool {
        guard !entries.isEmpty else { return true }
        let batch = entries
        entries.removeAll(keepingCapacity: true)
        let rows: PostgresRows
        do {
            rows = try await database.query(Self.flushSQL, Self.parameters(for: batch))
        } catch {
            // Keep the results (ahead of newer ones) for the next flush; the leases keep the rows ours meanwhile.
            entries.insert(contentsOf: batch, at: 0)
            statistics.failedFlushes += 1
            consecutiveFailures += 1
            lastFailure = error
            logger.error(
                "Write-back failed; results kept in memory and retried",
                metadata: [LogKey.error: "\(error)", "write_back.waiting": "\(entries.count)"]
            )
            return false
        }
        statistics.flushes += 1
        consecutiveFailures = 0
        lastFailure = nil
        for row in rows {
            guard (try? row.decode(String.self, "write_back")) == "lease_lost" else {
                statistics.entriesApplied += 1
                continue
            }
            statistics.entriesLeaseLost += 1
            metrics.row(.leaseLost)
            logger.warning(
                "Lease lost before write-back: another worker owns the row now; the attempt stays in the ledger",
                metadata: [
                    LogKey.requestID: "\((try? row.decode(Int64.self, "request_id")).map(String.init) ?? "-")",
                    LogKey.sessionID: "\((try? row.decode(String?.self, "session_id")) ?? nil ?? "-")",
                ]
            )
        }
        return true
    }

    /// The 21 array parameters of ``flushSQL`` (column-wise). Instants travel as Unix seconds
    /// (`to_timestamp` keeps microseconds), so no date formatting can lose precision or a time zone.
    static func parameters(for batch: [WriteBack]) -> [PostgresValue] {
        func timestamp(_ date: Date?) -> String? { date.map { String($0.timeIntervalSince1970) } }
        return [
            .bigintArray(batch.map { $0.requestID }),
            .bigintArray(batch.map { $0.leaseToken }),
            .bigintArray(batch.map { $0.attemptID }),
            .textArray(batch.map { $0.status.rawValue }),
            .bigintArray(batch.map { Int64($0.attempts) }),
            .textArray(batch.map { $0.retryDelay.map { String($0.secondsDouble) } }),
            .textArray(batch.map { $0.sessionID }),
            .textArray(batch.map { $0.clientSessionToken }),
            .textArray(batch.map { timestamp($0.tokenExpiresAt) }),
            .textArray(batch.map { timestamp($0.resourcesExpireAt) }),
            .textArray(batch.map { $0.lastError }),
            .bigintArray(batch.map { $0.lastHTTPStatus.map(Int64.init) }),
            .textArray(batch.map { $0.errorClass }),
            .textArray(batch.map { $0.possibleDuplicate ? "true" : "false" }),
            .textArray(batch.map { $0.replacesError ? "true" : "false" }),
            .textArray(batch.map { timestamp($0.finishedAt) }),
            .textArray(batch.map { $0.outcome }),
            .textArray(batch.map { $0.yotiCode }),
            .textArray(batch.map { $0.yotiRequestID }),
            .textArray(batch.map { $0.ledgerError }),
            .textArray(batch.map { $0.userTrackingID }),
        ]
    }
}
