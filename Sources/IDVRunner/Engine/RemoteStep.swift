import PostgresClient
import YotiClient

/// A remote step the engine runs for rows: it supplies only what to select, what to send and how to
/// write its result. Claiming (SKIP LOCKED, leased, fenced), pacing (the shared rate limit), retries
/// scheduled in the database, the ledger, rescue of dead workers' rows and draining on shutdown are the
/// engine's (``StepEngine``), written once for every step.
///
/// Steps today: ``CreateSessionStep`` (`run`), the In-Branch follow-through's ``FetchConfigurationStep``,
/// ``PutInstructionsStep``, ``LetterStep`` and ``RequestEmailStep`` (`run`, `instructions`),
/// ``SessionResultStep`` (`sync`) and ``DeleteSessionStep`` (`expire` / `cancel --delete-remote`).
protocol RemoteStep: Sendable {
    /// The step's input, read from a claimed row.
    associatedtype Work: Sendable
    /// What one call sends, prepared locally from the work.
    associatedtype Request: Sendable
    /// What a successful call returns.
    associatedtype Success: Sendable
    /// The step's write-back for one row: named fields, sent as the columns ``WriteBackRow/columns`` lists.
    associatedtype Row: WriteBackRow

    /// The ledger's `operation` and the lease's `lease_operation`.
    var operation: StepOperation { get }
    /// The step's SQL parts, from which ``StepStatements`` builds every statement.
    var sql: StepSQL { get }
    /// The ledger outcome of a success (`created`, `deleted`).
    var successOutcome: String { get }
    /// The debug log line of a success ("Session created").
    var successMessage: String { get }
    /// `true`: a run waits for retries it scheduled (until its deadline) before it completes; `false`:
    /// retries not due by the time the selection is idle are left for the next run (a sweep).
    var waitsForRetries: Bool { get }
    /// The name progress lines show the step under; `nil` for none (the run's own step). Default: the operation.
    var progressLabel: String? { get }

    /// Reads the work from a claimed row (the columns of ``StepSQL/claimReturning``).
    /// - Throws: a decoding error; the row is then released and the run stops as if the database failed.
    func work(from row: PostgresRow) throws -> Work
    /// What to send, or a `.failed(.invalidSpec, …)` outcome when nothing can be sent (no call is made).
    func request(for claim: Claim<Work>) -> StepPreparation<Request, Success>
    /// Work done on a prepared request while its row waits for a slot of the window, off the call's
    /// critical path (the create step signs it there). Default: none.
    func arm(_ request: Request) -> Request
    /// Makes the call. Never throws: cancellation after sending is ``StepOutcome/interrupted``.
    func send(_ request: Request) async -> StepOutcome<Success>
    /// The write-back of a decided outcome: the row's new values and the ledger's extras.
    func record(
        _ decision: RetryPolicy.Decision, of outcome: StepOutcome<Success>, for claim: Claim<Work>, request: Request?
    )
        -> StepRecord<Row>
    /// Counts a decided row in the run's metrics. Default: `idv_rows_total` by disposition, a success by the
    /// step's ``successOutcome``.
    func count(_ disposition: RetryPolicy.Disposition, in metrics: RunMetrics)
}

extension RemoteStep {
    func arm(_ request: Request) -> Request { request }

    var progressLabel: String? { operation.rawValue }

    func count(_ disposition: RetryPolicy.Disposition, in metrics: RunMetrics) {
        switch disposition {
        // `created` for the create step, `deleted` for a delete, `fetched` for a sync: only `created` counts
        // toward idv_sessions_created_total.
        case .succeeded: metrics.rowSucceeded(successOutcome: successOutcome)
        case .failed: metrics.row(.failed)
        case .retryScheduled: metrics.row(.retry)
        case .released, .abortRun: metrics.row(.released)
        }
    }
}

/// What a step prepared for one claimed row.
enum StepPreparation<Request: Sendable, Success: Sendable>: Sendable {
    /// Send this.
    case ready(Request)
    /// Nothing can be sent; write this outcome back.
    case finished(StepOutcome<Success>)
}

/// The step-specific part of one write-back.
struct StepRecord<Row: WriteBackRow>: Sendable {
    /// The row's new values (applied only while the lease is still ours).
    var row: Row
    /// The session id the ledger keeps for this attempt.
    var ledgerSessionID: String?
    /// What the call was actually about (create: the `user_tracking_id` sent); `nil` keeps the claim's.
    var subject: String?
    /// A short name this result is counted under in the run's report (delete: `remote_delete_status`).
    var label: String?
}

/// The SQL fragments a step contributes. Every fragment reads the row as `r` (and the write-back's
/// values as `u`); none contains a value: values are always parameters.
struct StepSQL: Sendable {
    /// A write-back column: its name under `u` and its SQL type.
    struct Column: Sendable, Hashable {
        var name: String
        var type: String
    }

    /// Rows waiting for this step. The engine adds: not leased by any step, due (``dueColumn``),
    /// and in the selected batches.
    var runnable: String
    /// The column holding when a row is next due for this step (retries are scheduled in it).
    var dueColumn: String = "next_attempt_at"
    /// The claim's order (over `r`): which waiting rows go first.
    var claimOrder: String = "r.id"
    /// Extra `SET` assignments when a row is claimed, each followed by a comma (create: `status = 'in_progress',`).
    var claimAssignments: String = ""
    /// Columns the claim returns for ``RemoteStep/work(from:)``, over `r`; must name one `counted_attempts`.
    var claimReturning: String
    /// The ledger subject at claim time, over the claimed row `c` and ``subjectJoin``; `NULL` for none.
    var subject: String = "NULL"
    /// A join for ``subject`` (e.g. the named configuration).
    var subjectJoin: String = ""
    /// Extra `SET` assignments that give back a row whose worker died or whose lease expired mid-call,
    /// each followed by a comma (the engine makes the row due at once). Named values: `p.max_attempts`, `p.unknown_outcome` (the class).
    var releaseAssignments: String = ""
    /// Over the released row: whether the release failed it for good (`false` for none).
    var releasedFailed: String = "false"
    /// Whether `idv-batch pause` holds this step's rows (default `true`): the claim skips rows of paused
    /// batches and a run left with only those ends as ``RunStopReason/paused``. Clean-up steps that only
    /// undo what was paid for (deleting sessions) set `false`, so a paused batch can still be cancelled and cleaned.
    var heldByPause: Bool = true
    /// The write-back's step columns (after the engine's own): the step's ``WriteBackRow/sqlColumns``.
    var rowColumns: [Column]
    /// `SET` assignments of the write-back, over `r` and `u`, without a trailing comma.
    var rowAssignments: String
    /// Further data-modifying CTEs of the write-back, each starting with a comma, over `upd` (the rows whose
    /// lease still matched: `id`, `session_id`) and `u`: they act only for fenced, applied results (sync
    /// marks the session's notifications processed). Empty for none.
    var writeBackSideEffects: String = ""
}
