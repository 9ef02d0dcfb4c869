import PostgresClient
import YotiClient

/// Every statement the engine sends for one step, built once from the step's ``StepSQL``.
///
/// Parameters are fixed per statement and numbered in one place each (``ClaimParameter``,
/// ``ReclaimParameter``, ``RenewParameter``, ``OutlookParameter``; the flush's follow its columns); the values
/// are built beside them (``claimParameters(_:)`` and the others). Values are never pasted into the text.
struct StepStatements: Sendable {
    /// Claims due rows (parameters: ``ClaimParameter``).
    ///
    /// One statement, one round trip, committed before any HTTP call: picks due unleased rows of the
    /// selection in id order with `FOR UPDATE SKIP LOCKED` (concurrent workers never wait on, or take,
    /// each other's rows), leases them with a fresh fencing value and opens one `idv.attempts` row per
    /// claimed row — so an attempt is on record BEFORE its call: a crash after Yoti acted leaves an
    /// unfinished attempt (flagged when the row is reclaimed), never an unaccounted call.
    let claim: String
    /// Gives back rows of dead workers and expired leases (parameters: ``ReclaimParameter``).
    let reclaim: String
    /// Extends this worker's leases of this step (parameters: ``RenewParameter``).
    let renew: String
    /// Stores results (see ``WriteBackBuffer``; parameters: ``flushParameters(_:operation:)``).
    let flush: String
    /// What is left of the selection for this step (parameters: ``OutlookParameter``).
    let outlook: String
    /// Whether a run tries each row once (its claim and outlook then skip rows the run already tried).
    let oncePerRun: Bool

    /// - Parameter oncePerRun: `true` for a step that leaves retries to the next run (``RemoteStep/waitsForRetries``
    ///   is `false`): a run never claims a row it already tried, so a row that failed stays for the next run
    ///   instead of being tried again at once in a loop.
    init(_ step: StepSQL, oncePerRun: Bool = false) {
        typealias C = ClaimParameter
        let selection = selectionPredicate(column: "r.batch_id", parameter: C.batches.rawValue)
        // A paused batch (`idv-batch pause`) is skipped by the claim of every step held by pauses, in two places:
        // the rows are picked without looking at pauses except for the batches this worker already knows to be
        // paused (a constant array: the planner keeps walking the ordered pending index, where a join or
        // sub-select on `idv.batches` made it sort every pending row), and only the picked rows whose batch is
        // not paused are leased — so a pause is seen by every worker within one claim, no ledger row is opened
        // for its rows, and the worker learns the paused batches from its next outlook.
        let notPaused =
            step.heldByPause
            ? "NOT EXISTS (SELECT 1 FROM idv.batches pb WHERE pb.batch_id = r.batch_id AND pb.paused_at IS NOT NULL)"
            : "true"
        // Sent whether used or not: a `text[]` parameter carries its type, so an unused one needs no mention.
        let notKnownPaused = step.heldByPause ? "r.batch_id <> ALL (\(C.knownPaused)::text[])" : "true"
        self.oncePerRun = oncePerRun
        func notTriedByRun(run: String, operation: String) -> String {
            oncePerRun
                ? """
                AND NOT EXISTS (SELECT 1 FROM idv.attempts t
                                WHERE t.request_id = r.id AND t.run_id = \(run) AND t.operation = \(operation))
                """
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
                  \(notTriedByRun(run: "\(C.runID)", operation: "\(C.operation)"))
                -- Create, one batch: a `(batch_id, id)` index; all or several: the `(id)` pending index.
                ORDER BY \(step.claimOrder)
                LIMIT \(C.limit)
                FOR UPDATE SKIP LOCKED
            ), claimed AS (
                UPDATE idv.verification_requests r
                SET \(step.claimAssignments)
                    lease_token = nextval('idv.lease_fence'),
                    lease_owner = \(C.owner),
                    lease_worker = \(C.workerID),
                    lease_operation = \(C.operation),
                    lease_expires_at = now() + make_interval(secs => \(C.leaseSeconds)),
                    updated_at = now()
                FROM picked
                WHERE r.id = picked.id
                  AND \(notPaused)
                RETURNING r.id, r.batch_id, r.lease_token, \(step.claimReturning)
            ), opened AS (
                INSERT INTO idv.attempts
                    (request_id, batch_id, run_id, lease_token, attempt_no, user_tracking_id, started_at, write_back,
                     operation)
                SELECT c.id, c.batch_id, \(C.runID), c.lease_token,
                       (SELECT count(*) FROM idv.attempts a WHERE a.request_id = c.id AND a.operation = \(C.operation)) + 1,
                       \(step.subject), now(), 'pending', \(C.operation)
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
        typealias R = ReclaimParameter
        let reclaimSelection = selectionPredicate(column: "r.batch_id", parameter: R.batches.rawValue)
        // SKIP LOCKED so it never waits behind a worker that is writing back (and so renewing) right now.
        // `p` names the values the step's release assignments may use.
        reclaim = """
            WITH p AS (
                SELECT \(R.maxAttempts)::int AS max_attempts, \(R.unknownOutcome)::text AS unknown_outcome
            ), orphaned AS (
                SELECT r.id
                FROM idv.verification_requests r
                WHERE r.lease_operation = \(R.operation)
                  AND \(reclaimSelection)
                  AND (r.lease_expires_at < now()
                       OR (r.lease_worker IS NOT NULL
                           AND r.lease_worker NOT IN (SELECT worker_id FROM idv.live_workers)))
                ORDER BY r.lease_expires_at
                LIMIT \(R.limit)
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
                FROM orphaned, p
                WHERE r.id = orphaned.id
                RETURNING r.id, r.lease_token, (\(step.releasedFailed)) AS failed
            ), closed AS (
                UPDATE idv.attempts a
                SET finished_at = now(),
                    outcome = '\(LedgerOutcome.leaseExpired)',
                    possible_duplicate = true,
                    write_back = 'lease_lost',
                    error = \(R.reason)
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
            SET lease_expires_at = now() + make_interval(secs => \(RenewParameter.leaseSeconds))
            WHERE lease_operation = \(RenewParameter.operation) AND lease_owner = \(RenewParameter.owner)
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
        typealias O = OutlookParameter
        let outlookSelection = selectionPredicate(column: "r.batch_id", parameter: O.batches.rawValue)
        outlook = """
            SELECT count(*) FILTER (WHERE \(step.runnable) AND r.lease_operation IS NULL AND NOT r_paused) AS pending,
                   count(*) FILTER (WHERE \(step.runnable) AND r.lease_operation IS NULL AND NOT r_paused
                                      AND (r.\(step.dueColumn) IS NULL OR r.\(step.dueColumn) <= now())
                                      \(notTriedByRun(run: "\(O.runID)", operation: "\(O.operation)"))) AS due,
                   EXTRACT(EPOCH FROM min(r.\(step.dueColumn)) FILTER (WHERE \(step.runnable)
                                                                 AND r.lease_operation IS NULL
                                                                 AND NOT r_paused) - now())::float8
                       AS next_due_in,
                   count(*) FILTER (WHERE r.lease_operation = \(O.operation)) AS in_progress,
                   count(*) FILTER (WHERE \(step.runnable) AND r.lease_operation IS NULL AND r_paused) AS paused,
                   coalesce(array_agg(DISTINCT r.batch_id) FILTER (WHERE \(step.runnable) AND r.lease_operation IS NULL
                                                                   AND r_paused), '{}') AS paused_batches
            FROM idv.verification_requests r
            CROSS JOIN LATERAL (SELECT NOT (\(notPaused)) AS r_paused) p
            WHERE ((\(step.runnable)) OR r.lease_operation = \(O.operation)) AND \(outlookSelection)
            """
    }
}

/// A statement's parameter slot: its number is its place in the values, and it reads as `$n` in SQL text.
protocol StatementParameter: RawRepresentable<Int>, CaseIterable, CustomStringConvertible {}

extension StatementParameter {
    var description: String { "$\(rawValue)" }
}

/// The parameters of ``StepStatements/claim``, in order (``StepStatements/claimParameters(_:)``).
enum ClaimParameter: Int, StatementParameter {
    /// The selected batches (`text[]`, empty for all).
    case batches = 1
    /// How many rows at most.
    case limit
    /// The lease owner's name.
    case owner
    /// The lease's length in seconds.
    case leaseSeconds
    /// `idv.runs.id`, or NULL.
    case runID
    /// `idv.workers.id` of this worker's presence, or NULL.
    case workerID
    /// The step's operation (``StepOperation``).
    case operation
    /// Batches this worker knows to be paused (`text[]`): not picked.
    case knownPaused
}

/// The parameters of ``StepStatements/reclaim``, in order (``StepStatements/reclaimParameters(_:)``).
enum ReclaimParameter: Int, StatementParameter {
    case batches = 1
    case limit
    /// The maximum attempts: `p.max_attempts` for the step's release assignments.
    case maxAttempts
    /// The error recorded on the closed attempts.
    case reason
    case operation
    /// The ``ErrorClass/unknownOutcome`` class: `p.unknown_outcome` for the step's release assignments.
    case unknownOutcome
}

/// The parameters of ``StepStatements/renew``, in order (``StepStatements/renewParameters(owner:leaseDuration:operation:)``).
enum RenewParameter: Int, StatementParameter {
    case owner = 1
    case leaseSeconds
    case operation
}

/// The parameters of ``StepStatements/outlook``, in order (``StepStatements/outlookParameters(batches:operation:runID:)``).
enum OutlookParameter: Int, StatementParameter {
    case batches = 1
    case operation
    /// The run whose tried rows are not due again (read only when ``StepStatements/oncePerRun``).
    case runID
}

extension StepStatements {
    /// The values of one claim.
    struct ClaimValues: Sendable {
        var batches: [String]
        var limit: Int
        var owner: String
        var leaseDuration: Duration
        var runID: Int64?
        var workerID: Int32?
        var operation: StepOperation
        var knownPaused: [String]
    }

    /// The claim's parameters (``ClaimParameter``). The paused batches travel even for a step that pauses
    /// do not hold: a `text[]` parameter carries its type, so the statement need not mention it.
    func claimParameters(_ values: ClaimValues) -> [PostgresValue] {
        ClaimParameter.allCases.map { parameter in
            switch parameter {
            case .batches: .textArray(values.batches)
            case .limit: .int(values.limit)
            case .owner: .text(values.owner)
            case .leaseSeconds: .double(values.leaseDuration.secondsDouble)
            case .runID: values.runID.map { .bigint($0) } ?? .null
            case .workerID: values.workerID.map { .int(Int($0)) } ?? .null
            case .operation: .text(values.operation.rawValue)
            case .knownPaused: .textArray(values.knownPaused)
            }
        }
    }

    /// The values of one reclaim pass.
    struct ReclaimValues: Sendable {
        var batches: [String]
        var limit: Int
        var maxAttempts: Int
        var reason: String
        var operation: StepOperation
    }

    /// The reclaim's parameters (``ReclaimParameter``).
    func reclaimParameters(_ values: ReclaimValues) -> [PostgresValue] {
        ReclaimParameter.allCases.map { parameter in
            switch parameter {
            case .batches: .textArray(values.batches)
            case .limit: .int(values.limit)
            case .maxAttempts: .int(values.maxAttempts)
            case .reason: .text(values.reason)
            case .operation: .text(values.operation.rawValue)
            case .unknownOutcome: .text(ErrorClass.unknownOutcome.rawValue)
            }
        }
    }

    /// The renewal's parameters (``RenewParameter``).
    func renewParameters(owner: String, leaseDuration: Duration, operation: StepOperation) -> [PostgresValue] {
        RenewParameter.allCases.map { parameter in
            switch parameter {
            case .owner: .text(owner)
            case .leaseSeconds: .double(leaseDuration.secondsDouble)
            case .operation: .text(operation.rawValue)
            }
        }
    }

    /// The outlook's parameters (``OutlookParameter``). The run id travels always (a `bigint` carries its
    /// type); it is read only when ``oncePerRun``.
    func outlookParameters(batches: [String], operation: StepOperation, runID: Int64?) -> [PostgresValue] {
        OutlookParameter.allCases.map { parameter in
            switch parameter {
            case .batches: .textArray(batches)
            case .operation: .text(operation.rawValue)
            case .runID: .bigint(runID ?? 0)
            }
        }
    }

    /// The flush's parameters: the engine's arrays (the ledger's ending and the fence), the step's (one per
    /// ``WriteBackRow/columns`` entry, in order), then the operation — the order of the statement's `u`
    /// columns. Instants travel as Unix seconds (`to_timestamp` keeps microseconds), so no date formatting
    /// can lose precision or a time zone.
    func flushParameters<Row>(_ batch: [WriteBack<Row>], operation: StepOperation) -> [PostgresValue] {
        var parameters: [PostgresValue] = [
            .bigintArray(batch.map { $0.requestID }),
            .bigintArray(batch.map { $0.leaseToken }),
            .bigintArray(batch.map { $0.attemptID }),
            .textArray(batch.map { String($0.finishedAt.timeIntervalSince1970) }),
            .textArray(batch.map { $0.outcome }),
            .textArray(batch.map { $0.httpStatus.map(String.init) }),
            .textArray(batch.map { $0.yotiCode }),
            .textArray(batch.map { $0.yotiRequestID }),
            .textArray(batch.map { $0.ledgerError }),
            .textArray(batch.map { $0.possibleDuplicate ? "true" : "false" }),
            .textArray(batch.map { $0.ledgerSessionID }),
            .textArray(batch.map { $0.subject }),
        ]
        parameters.reserveCapacity(parameters.count + Row.columns.count + 1)
        for column in Row.columns {
            parameters.append(.textArray(batch.map { column.text($0.row) }))
        }
        parameters.append(.text(operation.rawValue))
        return parameters
    }
}
