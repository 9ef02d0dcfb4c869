/// Every statement the engine sends for one step, built once from the step's ``StepSQL``.
///
/// Parameters are fixed per statement (documented on each); values are never pasted into the text.
struct StepStatements: Sendable {
    /// Claims due rows: `$1` batches, `$2` limit, `$3` owner name, `$4` lease seconds, `$5` run id,
    /// `$6` worker id, `$7` operation, `$8` batches this worker knows to be paused.
    ///
    /// One statement, one round trip, committed before any HTTP call: picks due unleased rows of the
    /// selection in id order with `FOR UPDATE SKIP LOCKED` (concurrent workers never wait on, or take,
    /// each other's rows), leases them with a fresh fencing value and opens one `idv.attempts` row per
    /// claimed row — so an attempt is on record BEFORE its call: a crash after Yoti acted leaves an
    /// unfinished attempt (flagged when the row is reclaimed), never an unaccounted call.
    let claim: String
    /// Gives back rows of dead workers and expired leases: `$1` batches, `$2` limit, `$3` max attempts,
    /// `$4` reason text, `$5` operation, `$6` the `unknown_outcome` class.
    let reclaim: String
    /// Extends this worker's leases of this step: `$1` owner, `$2` lease seconds, `$3` operation.
    let renew: String
    /// Stores results (see ``WriteBackBuffer``): the engine's 12 arrays, the step's, then the operation.
    let flush: String
    /// What is left of the selection for this step: `$1` batches, `$2` operation (and `$3` run id when
    /// ``oncePerRun``).
    let outlook: String
    /// Number of step columns in the write-back.
    let stepColumnCount: Int
    /// Whether a run tries each row once (the outlook then takes the run id as `$3`).
    let oncePerRun: Bool

    /// - Parameter oncePerRun: `true` for a step that leaves retries to the next run (``RemoteStep/waitsForRetries``
    ///   is `false`): a run never claims a row it already tried, so a row that failed stays for the next run
    ///   instead of being tried again at once in a loop.
    init(_ step: StepSQL, oncePerRun: Bool = false) {
        let selection = selectionPredicate(column: "r.batch_id", parameter: 1)
        // A paused batch (`idv-batch pause`) is skipped by the claim of every step held by pauses: the pause is
        // seen by every worker within one claim, and its rows wait untouched until `resume`.
        // A paused batch (`idv-batch pause`) is skipped by the claim of every step held by pauses, in two places:
        // the rows are picked without looking at pauses except for the batches this worker already knows to be
        // paused (`$8`, a constant array: the planner keeps walking the ordered pending index, where a join or
        // sub-select on `idv.batches` made it sort every pending row), and only the picked rows whose batch is
        // not paused are leased — so a pause is seen by every worker within one claim, no ledger row is opened
        // for its rows, and the worker learns the paused batches from its next outlook.
        let notPaused =
            step.heldByPause
            ? "NOT EXISTS (SELECT 1 FROM idv.batches pb WHERE pb.batch_id = r.batch_id AND pb.paused_at IS NOT NULL)"
            : "true"
        let notKnownPaused = step.heldByPause ? "r.batch_id <> ALL ($8::text[])" : "$8::text[] IS NOT NULL"
        self.oncePerRun = oncePerRun
        func notTriedByRun(_ parameter: Int) -> String {
            oncePerRun
                ? """
                AND NOT EXISTS (SELECT 1 FROM idv.attempts t
                                WHERE t.request_id = r.id AND t.run_id = $\(parameter) AND t.operation = r_operation)
                """.replacingOccurrences(of: "r_operation", with: parameter == 5 ? "$7" : "$2")
                : ""
        }
        claim = """
            WITH picked AS (
                SELECT r.id
                FROM idv.verification_requests r
                WHERE \(step.runnable)
                  AND r.lease_operation IS NULL
                  AND (r.\(step.dueColumn) IS NULL OR r.\(step.dueColumn) <= now())
                  AND \(selection)
                  AND \(notKnownPaused)
                  \(notTriedByRun(5))
                -- Create, one batch: a `(batch_id, id)` index; all or several: the `(id)` pending index.
                ORDER BY \(step.claimOrder)
                LIMIT $2
                FOR UPDATE SKIP LOCKED
            ), claimed AS (
                UPDATE idv.verification_requests r
                SET \(step.claimAssignments)
                    lease_token = nextval('idv.lease_fence'),
                    lease_owner = $3,
                    lease_worker = $6,
                    lease_operation = $7,
                    lease_expires_at = now() + make_interval(secs => $4),
                    updated_at = now()
                FROM picked
                WHERE r.id = picked.id
                  AND \(notPaused)
                RETURNING r.id, r.batch_id, r.lease_token, \(step.claimReturning)
            ), opened AS (
                INSERT INTO idv.attempts
                    (request_id, batch_id, run_id, lease_token, attempt_no, user_tracking_id, started_at, write_back,
                     operation)
                SELECT c.id, c.batch_id, $5, c.lease_token,
                       (SELECT count(*) FROM idv.attempts a WHERE a.request_id = c.id AND a.operation = $7) + 1,
                       \(step.subject), now(), 'pending', $7
                FROM claimed c
                \(step.subjectJoin)
                RETURNING id, request_id, attempt_no, user_tracking_id
            )
            SELECT c.*, o.id AS attempt_id, o.attempt_no, o.user_tracking_id AS subject,
                   EXTRACT(EPOCH FROM rl.paused_until - now())::float8 AS pause_seconds
            FROM claimed c
            JOIN opened o ON o.request_id = c.id
            LEFT JOIN idv.rate_limits rl ON rl.batch_id = c.batch_id AND rl.paused_until > now()
            ORDER BY c.id
            """

        // SKIP LOCKED so it never waits behind a worker that is writing back (and so renewing) right now.
        reclaim = """
            WITH orphaned AS (
                SELECT r.id
                FROM idv.verification_requests r
                WHERE r.lease_operation = $5
                  AND \(selection)
                  -- $3 and $6 serve the step's release assignments; named here so every step's statement
                  -- types them, whether its release uses them or not.
                  AND $3::int > 0 AND $6::text IS NOT NULL
                  AND (r.lease_expires_at < now()
                       OR (r.lease_worker IS NOT NULL
                           AND r.lease_worker NOT IN (SELECT worker_id FROM idv.live_workers)))
                ORDER BY r.lease_expires_at
                LIMIT $2
                FOR UPDATE SKIP LOCKED
            ), released AS (
                UPDATE idv.verification_requests r
                SET \(step.releaseAssignments)
                    \(step.dueColumn) = now(),
                    lease_owner = NULL,
                    lease_worker = NULL,
                    lease_operation = NULL,
                    lease_expires_at = NULL,
                    updated_at = now()
                FROM orphaned
                WHERE r.id = orphaned.id
                RETURNING r.id, r.lease_token, (\(step.releasedFailed)) AS failed
            ), closed AS (
                UPDATE idv.attempts a
                SET finished_at = now(),
                    outcome = '\(LedgerOutcome.leaseExpired)',
                    possible_duplicate = true,
                    write_back = 'lease_lost',
                    error = $4
                FROM released
                WHERE a.request_id = released.id
                  AND a.lease_token = released.lease_token
                  AND a.finished_at IS NULL
                RETURNING a.id
            )
            SELECT (SELECT count(*) FROM released) AS rows_released,
                   (SELECT count(*) FROM released WHERE failed) AS rows_failed,
                   (SELECT count(*) FROM closed) AS attempts_closed
            """

        renew = """
            UPDATE idv.verification_requests
            SET lease_expires_at = now() + make_interval(secs => $2)
            WHERE lease_operation = $3 AND lease_owner = $1
            """

        let engineColumns: [StepSQL.Column] = [
            .init(name: "request_id", type: "bigint"), .init(name: "lease_token", type: "bigint"),
            .init(name: "attempt_id", type: "bigint"), .init(name: "finished_at", type: "float8"),
            .init(name: "outcome", type: "text"), .init(name: "http_status", type: "integer"),
            .init(name: "yoti_code", type: "text"), .init(name: "yoti_request_id", type: "text"),
            .init(name: "ledger_error", type: "text"), .init(name: "ledger_duplicate", type: "boolean"),
            .init(name: "ledger_session_id", type: "text"), .init(name: "subject", type: "text"),
        ]
        let columns = engineColumns + step.rowColumns
        let arrays = columns.enumerated().map { index, column in
            column.type == "text" ? "$\(index + 1)::text[]" : "$\(index + 1)::text[]::\(column.type)[]"
        }
        let operationParameter = columns.count + 1
        stepColumnCount = step.rowColumns.count
        flush = """
            WITH u AS (
                SELECT * FROM unnest(\(arrays.joined(separator: ", ")))
                    AS u(\(columns.map(\.name).joined(separator: ", ")))
            ), upd AS (
                UPDATE idv.verification_requests r
                SET \(step.rowAssignments),
                    lease_owner = NULL,
                    lease_worker = NULL,
                    lease_operation = NULL,
                    lease_expires_at = NULL,
                    updated_at = now()
                FROM u
                WHERE r.id = u.request_id
                  AND r.lease_token = u.lease_token
                  AND r.lease_operation = $\(operationParameter)
                RETURNING r.id, r.session_id
            )\(step.writeBackSideEffects)
            UPDATE idv.attempts a
            SET finished_at = to_timestamp(u.finished_at),
                outcome = u.outcome,
                http_status = u.http_status,
                yoti_code = u.yoti_code,
                yoti_request_id = u.yoti_request_id,
                session_id = u.ledger_session_id,
                error = u.ledger_error,
                possible_duplicate = a.possible_duplicate OR u.ledger_duplicate,
                user_tracking_id = coalesce(u.subject, a.user_tracking_id),
                write_back = CASE WHEN upd.id IS NULL THEN 'lease_lost' ELSE 'applied' END
            FROM u
            LEFT JOIN upd ON upd.id = u.request_id
            WHERE a.id = u.attempt_id
            RETURNING a.id AS attempt_id, a.request_id, a.write_back, a.session_id
            """

        // Waiting rows of paused batches are counted apart (`paused`), so a run that has nothing else left
        // ends as paused, not as completed.
        outlook = """
            SELECT count(*) FILTER (WHERE \(step.runnable) AND r.lease_operation IS NULL AND NOT r_paused) AS pending,
                   count(*) FILTER (WHERE \(step.runnable) AND r.lease_operation IS NULL AND NOT r_paused
                                      AND (r.\(step.dueColumn) IS NULL OR r.\(step.dueColumn) <= now())
                                      \(notTriedByRun(3))) AS due,
                   EXTRACT(EPOCH FROM min(r.\(step.dueColumn)) FILTER (WHERE \(step.runnable)
                                                                 AND r.lease_operation IS NULL
                                                                 AND NOT r_paused) - now())::float8
                       AS next_due_in,
                   count(*) FILTER (WHERE r.lease_operation = $2) AS in_progress,
                   count(*) FILTER (WHERE \(step.runnable) AND r.lease_operation IS NULL AND r_paused) AS paused,
                   coalesce(array_agg(DISTINCT r.batch_id) FILTER (WHERE \(step.runnable) AND r.lease_operation IS NULL
                                                                   AND r_paused), '{}') AS paused_batches
            FROM idv.verification_requests r
            CROSS JOIN LATERAL (SELECT NOT (\(notPaused)) AS r_paused) p
            WHERE ((\(step.runnable)) OR r.lease_operation = $2) AND \(selection)
            """
    }
}
