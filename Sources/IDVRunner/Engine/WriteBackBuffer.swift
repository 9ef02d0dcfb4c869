import Foundation
import IDVLogging
import Logging
import PostgresClient

/// A write-back buffer's counters, for the summary and the round-trip figure.
struct WriteBackStatistics: Sendable, Hashable {
    var flushes = 0
    var entriesApplied = 0
    var entriesLeaseLost = 0
}

/// Collects results and stores them by group commit: one statement per flush, fenced by lease.
///
/// A result is written as soon as the statement before it has finished: no timer, no minimum batch. While
/// one statement runs, new results gather and go in the next, so batches still form under load, yet a
/// result received while the database is idle is stored within one round trip (a crash loses at most what
/// the statement under way and the calls in flight hold). `append` never waits for a flush while fewer
/// than ``highWater`` results wait: the window that hands results in goes on starting calls during the
/// round trip. Flushes run one at a time, oldest results first; a failed flush keeps its entries and is
/// retried every ``retryPause`` (100 ms) until it succeeds or the engine gives the database up.
actor WriteBackBuffer<Row: WriteBackRow> {
    typealias Statistics = WriteBackStatistics

    private let database: any RunnerDatabase
    private let statements: StepStatements
    private let operation: StepOperation
    /// Results waiting beyond this make `append` wait for a flush (the database is slower than the calls).
    let highWater: Int
    private let retryPause: Duration
    private let clock: RunnerClock
    private let logger: Logger
    private let metrics: RunMetrics
    private var entries: [WriteBack<Row>] = []
    private var statistics = Statistics()
    /// Wakes the flush loop: a result arrived. Coalesced (newest one kept), so results that arrive while a
    /// statement runs wake it once, and the next statement takes them all.
    private let kicks: AsyncStream<Void>
    private let kick: AsyncStream<Void>.Continuation
    /// One flush at a time, in the order they were asked for, so batches are stored oldest first.
    private let flushTurn = PermitGate(permits: 1)
    private var consecutiveFailures = 0
    private var lastFailure: (any Error)?

    /// - Parameters:
    ///   - highWater: results waiting beyond this make `append` wait for a flush (default 512).
    ///   - retryPause: the pause after a failed flush before the next try (default 100 ms).
    ///   - metrics: counts results whose lease was lost (`idv_rows_total{outcome="lease_lost"}`).
    init(
        database: any RunnerDatabase,
        statements: StepStatements,
        operation: StepOperation,
        highWater: Int = 512,
        retryPause: Duration = .milliseconds(100),
        clock: RunnerClock = .system,
        logger: Logger,
        metrics: RunMetrics = .discarding
    ) {
        self.database = database
        self.statements = statements
        self.operation = operation
        self.highWater = max(1, highWater)
        self.retryPause = retryPause
        self.clock = clock
        self.logger = logger
        self.metrics = metrics
        (kicks, kick) = AsyncStream.makeStream(of: Void.self, bufferingPolicy: .bufferingNewest(1))
    }

    /// Adds a result and wakes the flush loop; only past ``highWater`` does the caller wait for a flush
    /// itself.
    /// - Throws: nothing from the database: a failed flush keeps its entries and is retried by the loop.
    func append(_ entry: WriteBack<Row>) async {
        entries.append(entry)
        if entries.count >= highWater {
            await flushOnce()
        } else {
            kick.yield()
        }
    }

    /// Results not yet stored.
    var waiting: Int { entries.count }

    /// Counters so far.
    var currentStatistics: Statistics { statistics }

    /// How many flushes in a row have failed, and the last error (to decide the database is gone).
    var failureState: (consecutive: Int, last: (any Error)?) { (consecutiveFailures, lastFailure) }

    /// Group commit: flushes as soon as a result waits and the previous statement has finished, until
    /// cancelled. Run it once, beside the window.
    func runFlushLoop() async {
        // Ends when the task is cancelled.
        for await _ in kicks {
            while !entries.isEmpty {
                if await flushOnce() { continue }
                // The database failed: pause before the next try (results keep gathering meanwhile). The
                // engine decides from the failures in a row when the database is gone.
                guard (try? await clock.sleep(retryPause)) != nil else { return }
            }
        }
    }

    /// Stores everything waiting, retrying a failed flush up to `attempts` times with a short pause.
    /// Call it at shutdown from a task that is not cancelled (a cancelled query is aborted).
    /// - Throws: the last database error when the entries could not be stored.
    func drain(attempts: Int = 5) async throws {
        var tries = 0
        // At least one turn: a flush under way holds entries not stored yet, and `flushOnce` waits for it.
        repeat {
            tries += 1
            if await flushOnce() { continue }
            if tries >= attempts {
                throw lastFailure ?? CancellationError()
            }
            try? await clock.sleep(.milliseconds(200 * tries))
        } while !entries.isEmpty
    }

    /// One flush of what is waiting now. Returns `false` when it failed (the entries are kept).
    @discardableResult
    func flushOnce() async -> Bool {
        await flushTurn.enter()
        defer { flushTurn.open(1) }
        guard !entries.isEmpty else { return true }
        let batch = entries
        entries.removeAll(keepingCapacity: true)
        let rows: PostgresRows
        do {
            rows = try await database.query(statements.flush, parameters(for: batch))
        } catch {
            // Keep the results (ahead of newer ones) for the next flush; the leases keep the rows ours meanwhile.
            entries.insert(contentsOf: batch, at: 0)
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

    /// The parameters of the flush statement (``StepStatements/flushParameters(_:operation:)``).
    func parameters(for batch: [WriteBack<Row>]) -> [PostgresValue] {
        statements.flushParameters(batch, operation: operation)
    }
}
