import Foundation
import IDVCommands
import IDVRunner
import PostgresClient
import SystemSupport

extension Benchmark {
    /// The batch of figure 5's rows.
    static let sweepBatch = "bench-sweep"

    /// Figure 5: `idv-batch expire`'s sweep of `sizes.sweepRows` expired tokens against one bare `UPDATE` of
    /// the same rows, the sweep's longest statement (locks are held for one statement at most), and a sweep
    /// with nothing due.
    ///
    /// Both the bare `UPDATE` and the sweep start from the same physical table: the bare one runs twice in a
    /// rolled-back transaction with `VACUUM` after each (the first only extends the table), and the sweep
    /// follows the second's `VACUUM`.
    func expirySweep() async throws -> [BenchFigure] {
        let rows = sizes.sweepRows
        _ = try await pool.execute(
            """
            INSERT INTO idv.verification_requests
                (batch_id, external_ref, config_name, status, attempts, next_attempt_at, session_id,
                 client_session_token, token_expires_at, resources_expire_at)
            SELECT $1, 's' || g, $2, 'created', 1, NULL, 'session-s' || g, 'token-s' || g,
                   now() - interval '1 hour' + g * interval '1 ms', now() + interval '8 days'
            FROM generate_series(1, $3::int) AS g
            """,
            [.text(Self.sweepBatch), .text(Self.configName), .int(rows)])
        _ = try await pool.execute("VACUUM ANALYZE idv.verification_requests")

        var bare = 0.0
        for _ in 0..<2 {
            bare = try await pool.withConnection { connection in
                _ = try await connection.execute("BEGIN")
                let started = ContinuousClock.now
                let changed = try await connection.execute(
                    """
                    UPDATE idv.verification_requests SET status = 'expired', client_session_token = NULL
                    WHERE status = 'created' AND token_expires_at <= now()
                    """)
                let seconds = (ContinuousClock.now - started).secondsDouble
                guard changed == rows else {
                    throw CommandFailure(
                        exitCode: 3, message: "The bare UPDATE changed \(changed) rows, expected \(rows).")
                }
                _ = try await connection.execute("ROLLBACK")
                return seconds
            }
            _ = try await pool.execute("VACUUM idv.verification_requests")
        }

        let logOffset = postgres.serverLogSize
        let sweep = try await timedSweep(logStatements: true)
        guard sweep.expired == rows else {
            throw CommandFailure(exitCode: 3, message: "The sweep expired \(sweep.expired) rows, expected \(rows).")
        }
        let postgres = self.postgres
        let longest = Self.longestStatementSeconds(
            inLog: try await offCooperativePool { postgres.serverLog(after: logOffset) })
        let idle = try await timedSweep(logStatements: false)

        let chunk = ExpirySweeper.Options().chunkSize
        return [
            BenchFigure(
                id: "5a", name: "expiry sweep ÷ one bare UPDATE, \(BenchFigure.grouped(Double(rows))) rows",
                measured: sweep.seconds, unit: "s", baseline: bare, baselineUnit: "s", ratio: sweep.seconds / bare,
                goal: .ratioAtMost(1.5),
                note: "\((rows + chunk - 1) / chunk) statements of \(BenchFigure.grouped(Double(chunk))) rows each; "
                    + "the bare UPDATE ran in a rolled-back transaction on the same table state"),
            BenchFigure(
                id: "5b", name: "longest statement (= longest row lock) of the sweep", measured: longest, unit: "s",
                goal: .measuredAtMost(1, "s"),
                note: "from the server log (log_min_duration_statement = 0 on the sweep's session)"),
            BenchFigure(
                id: "5c", name: "sweep with nothing due ÷ the full sweep", measured: idle.seconds * 1000, unit: "ms",
                baseline: sweep.seconds * 1000, baselineUnit: "ms", ratio: idle.seconds / sweep.seconds,
                goal: .ratioAtMost(0.01), note: "connect, advisory lock, one index probe, run record"),
        ]
    }

    /// Runs one `ExpirySweeper` sweep over every batch, on its own connection as `idv-batch expire` does.
    private func timedSweep(logStatements: Bool) async throws -> (seconds: Double, expired: Int) {
        var configuration = database
        if logStatements {
            configuration = try PostgresConfiguration(
                configuration.unredactedConnectionString + " options='-c log_min_duration_statement=0'")
        }
        configuration.applicationName = "idv-bench-sweep"
        let sweeper = ExpirySweeper(database: configuration, options: ExpirySweeper.Options())
        let started = ContinuousClock.now
        let report = try await sweeper.sweep()
        return ((ContinuousClock.now - started).secondsDouble, report.expired)
    }

    /// The longest `duration: … ms` the server logged for an executed statement in `log`.
    static func longestStatementSeconds(inLog log: String) -> Double {
        var longest = 0.0
        for line in log.split(separator: "\n") where line.contains("duration: ") && !line.contains(" parse ") {
            guard let range = line.range(of: "duration: ") else { continue }
            let number = line[range.upperBound...].prefix { $0.isNumber || $0 == "." }
            if let milliseconds = Double(number) { longest = max(longest, milliseconds / 1000) }
        }
        return longest
    }
}
