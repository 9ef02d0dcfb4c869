import Foundation
import IDVLogging
import Logging
import PostgresClient
import Synchronization

/// Paces `POST /sessions` per batch across every worker process, through PostgreSQL.
///
/// With a rate `R`, a worker reserves `k = GCRA.reservationSize(R)` send slots in one `UPDATE` of
/// `idv.rate_limits` (GCRA, see ``GCRA``) and hands them out locally at `start + i / R`. A 429 from
/// Yoti pushes the batch's `paused_until` and `tat` forward by `Retry-After`, so every worker of the
/// batch slows down — the others learn of it on their next reservation, or with their next claim
/// when the batch has no rate. Waiting happens in the caller (never inside the actor). Without a rate, a
/// send asks only the pauses (kept under a lock, not in the actor), so it costs no actor hop: at high
/// concurrency on a busy machine each hop waited behind signing work for a free thread.
actor SharedRateLimiter {
    static let reserveSQL = """
        INSERT INTO idv.rate_limits AS rl (batch_id, rate, tat, updated_at)
        VALUES ($1, $2, now() + make_interval(secs => $3::float8 / $2::float8), now())
        ON CONFLICT (batch_id) DO UPDATE
        SET rate = EXCLUDED.rate,
            tat = GREATEST(rl.tat, now(), coalesce(rl.paused_until, now()))
                + make_interval(secs => $3::float8 / $2::float8),
            updated_at = now()
        RETURNING EXTRACT(EPOCH FROM rl.tat - make_interval(secs => $3::float8 / $2::float8))::float8 AS start_epoch,
                  EXTRACT(EPOCH FROM clock_timestamp())::float8 AS server_epoch
        """

    static let penalizeSQL = """
        INSERT INTO idv.rate_limits AS rl (batch_id, rate, tat, paused_until, penalty_count, last_penalty_at, updated_at)
        VALUES ($1, NULL, now() + make_interval(secs => $2), now() + make_interval(secs => $2), 1, now(), now())
        ON CONFLICT (batch_id) DO UPDATE
        SET paused_until = GREATEST(coalesce(rl.paused_until, now()), now() + make_interval(secs => $2)),
            tat = GREATEST(rl.tat, now() + make_interval(secs => $2)),
            penalty_count = rl.penalty_count + 1,
            last_penalty_at = now(),
            updated_at = now()
        RETURNING EXTRACT(EPOCH FROM rl.paused_until - now())::float8 AS pause_in
        """

    /// Counters for the summary.
    struct Statistics: Sendable, Hashable {
        /// Sends that had to wait for a slot or a pause.
        var waits = 0
        /// Reservation round trips.
        var reservations = 0
        /// 429 penalties this worker reported.
        var penalties = 0
    }

    private let database: any RunnerDatabase
    private let rate: Double?
    private let clock: RunnerClock
    private let logger: Logger
    private var slots: [String: [Date]] = [:]
    /// Pauses by batch, and how many sends had to wait for one or for a slot.
    private let pauses = Mutex<(until: [String: Date], waits: Int)>(([:], 0))
    private var reserving: [String: Task<Void, any Error>] = [:]
    private var statistics = Statistics()
    /// Slots are instants on the server's clock; one consistent offset maps them to ours.
    private var serverClock = ServerClockOffset()

    /// - Parameter rate: requests per second per batch; `nil` = no limit (429 pauses still apply).
    init(database: any RunnerDatabase, rate: Double?, clock: RunnerClock, logger: Logger) {
        self.database = database
        self.rate = rate
        self.clock = clock
        self.logger = logger
    }

    /// Whether sends go out without waiting for slots (no rate; pauses still apply).
    nonisolated var isUnlimited: Bool { rate == nil }

    /// Counters so far (`waits` is counted under the pauses' lock, where sends without a rate count it).
    var currentStatistics: Statistics {
        var current = statistics
        current.waits = pauses.withLock { $0.waits }
        return current
    }

    /// How late a send may go out after its slot: one slot interval (at least 10 ms, the precision of a
    /// sleep). A worker that woke later than this (a starved CPU) takes a fresh slot instead, so late
    /// sends never pile onto on-time ones; at high rates 10 ms late is a burst of 1 % at most.
    nonisolated var lateTolerance: TimeInterval {
        guard let rate else { return .infinity }
        return max(1 / rate, 0.01)
    }

    /// Whether a send planned for `slot` may still go out now.
    nonisolated func isOnTime(_ slot: Date) -> Bool {
        clock.now().timeIntervalSince(slot) <= lateTolerance
    }

    /// Records a pause learned elsewhere (a claim saw the batch's `paused_until`).
    func notePause(batch: String, until: Date) {
        let later = pauses.withLock { pauses in
            guard until > (pauses.until[batch] ?? .distantPast) else { return false }
            pauses.until[batch] = until
            return true
        }
        guard later else { return }
        // Slots inside the pause are void: the batch's tat was pushed past it for everyone.
        slots[batch]?.removeAll { $0 < until }
    }

    /// The moment this worker may send its next request for `batch`; the caller sleeps until then.
    /// - Throws: `CancellationError`, or a database error from a reservation.
    nonisolated func nextSendTime(batch: String) async throws -> Date {
        guard let rate else {
            let now = clock.now()
            return pauses.withLock { pauses in
                guard let pause = pauses.until[batch], pause > now else { return now }
                pauses.waits += 1
                return pause
            }
        }
        return try await reserveSlot(batch: batch, rate: rate)
    }

    /// The next of this worker's slots for `batch` at `rate`, reserving more when none is left.
    private func reserveSlot(batch: String, rate: Double) async throws -> Date {
        let pause = pauses.withLock { $0.until[batch] }.flatMap { $0 > clock.now() ? $0 : nil }
        while true {
            try Task.checkCancellation()
            // Slots already past their time would make a burst if spent now: drop them.
            let stale = clock.now().addingTimeInterval(-lateTolerance)
            slots[batch]?.removeAll { $0 < stale }
            if var queue = slots[batch], !queue.isEmpty {
                let slot = queue.removeFirst()
                slots[batch] = queue
                let sendAt = max(slot, pause ?? slot)
                if sendAt.timeIntervalSince(clock.now()) > 0.001 { pauses.withLock { $0.waits += 1 } }
                return sendAt
            }
            if let inFlight = reserving[batch] {
                // Wait for the reservation already under way; it files its slots before completing.
                try await inFlight.value
                continue
            }
            let count = GCRA.reservationSize(rate: rate)
            let task = Task {
                defer { self.reserving[batch] = nil }
                let sentAt = self.clock.now()
                let rows = try await self.database.query(Self.reserveSQL, [.text(batch), .double(rate), .int(count)])
                let receivedAt = self.clock.now()
                guard let row = rows.first else { return }
                let serverEpoch = try row.decode(Double.self, "server_epoch")
                self.serverClock.observe(serverEpoch: serverEpoch, sentAt: sentAt, receivedAt: receivedAt)
                let start = self.serverClock.localDate(serverEpoch: try row.decode(Double.self, "start_epoch"))
                self.statistics.reservations += 1
                self.slots[batch, default: []].append(
                    contentsOf: GCRA.slotOffsets(count: count, rate: rate).map {
                        start.addingTimeInterval($0.secondsDouble)
                    })
            }
            reserving[batch] = task
            try await task.value
        }
    }

    /// Tells every worker of `batch` to hold off: Yoti answered 429.
    /// - Parameter retryAfter: Yoti's `Retry-After`, default 1 s.
    func penalize(batch: String, retryAfter: Duration?) async {
        let delay = retryAfter ?? RetryPolicy.defaultRetryAfter
        statistics.penalties += 1
        let localUntil = clock.now().addingTimeInterval(delay.secondsDouble)
        notePause(batch: batch, until: localUntil)
        do {
            let rows = try await database.query(Self.penalizeSQL, [.text(batch), .double(delay.secondsDouble)])
            if let pauseIn = try rows.first?.decode(Double.self, "pause_in") {
                notePause(batch: batch, until: clock.now().addingTimeInterval(pauseIn))
            }
        } catch {
            // The local pause still holds; the other workers learn of Yoti's limit from their own 429s.
            logger.warning(
                "Could not record the rate-limit pause in the database",
                metadata: [LogKey.batchID: "\(batch)", LogKey.error: "\(error)"]
            )
        }
    }
}
