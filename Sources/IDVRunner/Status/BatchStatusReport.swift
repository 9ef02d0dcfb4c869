import YotiAPI

/// What `idv-batch status` shows: per batch, rows per state, error classes, sessions, duplicates,
/// retries, runs and reruns. Encodes to the stable `--json` shape (``schemaVersion`` 1):
///
/// ```json
/// {"schema_version": 1, "generated_at": "2026-11-21T07:00:00.000Z",
///  "batches": [{"batch_id": "…", "registered_at": "…"|null, "note": "…"|null,
///    "rows": {"total": 0, "pending": 0, "in_progress": 0, "created": 0, "failed": 0, "expired": 0, "cancelled": 0},
///    "error_classes": [{"class": "transient", "count": 3,
///                       "example": {"id": 1, "external_ref": "…", "last_error": "…"|null, "last_http_status": 503|null}}],
///    "sessions": {"rows_with_session": 0, "created_in_ledger": 0, "remote_deleted": 0},
///    "possible_duplicates": 0,
///    "retries": {"scheduled": 0, "next_at": "…"|null},
///    "runs": [{"id": 1, "kind": "run", "worker": "…", "all_batches": false, "started_at": "…",
///              "finished_at": "…"|null, "duration_seconds": 1.5|null, "exit_code": 0|null,
///              "rows_created": 0, "rows_failed": 0, "rows_retried": 0, "sessions_per_second": 0.0|null}],
///    "follow_through": {"pending": 0, "configured": 0, "sent": 0, "letter_saved": 0, "emailed": 0, "failed": 0,
///                       "not_needed": 0, "letters_saved": 0, "letter_bytes": 0},
///    "results": {"ongoing": 0, "completed": 0, "expired": 0, "not_found": 0, "never_checked": 0,
///                "recommendations": {"APPROVE": 0, "REJECT": 0, "NOT_AVAILABLE": 0}, "sync_waiting": 0,
///                "notifications_received": 0, "notifications_pending": 0, "last_checked_at": "…"|null},
///    "reruns": [{"id": 1, "requested_by": "…", "requested_at": "…", "filters": {…}, "rows_requeued": 0,
///                "run_id": 1|null, "run_duration_seconds": 1.5|null, "run_sessions_per_second": 0.0|null}]}]}
/// ```
/// Times are RFC 3339 UTC with milliseconds. Fields are only ever added under the same
/// `schema_version`; a removal or change of meaning bumps it.
package struct BatchStatusReport: Sendable, Hashable {
    /// The version of this shape.
    package static let currentSchemaVersion = 1

    package var schemaVersion: Int
    package var generatedAt: String
    package var batches: [Batch]

    /// One batch.
    package struct Batch: Sendable, Hashable {
        package var batchID: String
        /// When the batch was registered in `idv.batches` (`enqueue` does it; plain INSERTs do not).
        package var registeredAt: String?
        package var note: String?
        package var rows: Rows
        /// Failed rows per error class, largest first.
        package var errorClasses: [ErrorClass]
        package var sessions: Sessions
        /// Rows flagged `possible_duplicate` (an earlier call's outcome was unknown).
        package var possibleDuplicates: Int
        package var retries: Retries
        /// The latest runs that touched the batch (its own, and runs over all batches), newest first.
        package var runs: [Run]
        /// Its reruns, newest first.
        package var reruns: [Rerun]
        /// The current pause (`idv-batch pause`), or `nil` when the batch is not paused.
        package var pause: Pause? = nil
        /// The latest operator actions on the batch (pause, resume, cancel, reissue), newest first.
        package var actions: [Action] = []
        /// The In-Branch follow-through of its rows.
        package var followThrough = FollowThroughCounts()
        /// What `sync` learned of its sessions, and the notifications received for them.
        package var results = ResultCounts()
    }

    /// Results of a batch's sessions (`sync`) and their notifications (`notifications serve`).
    package struct ResultCounts: Sendable, Hashable {
        /// Rows with a session per `remote_state` (`ONGOING`, `COMPLETED`, `EXPIRED`, `NOT_FOUND`, others as Yoti says).
        package var states: [String: Int] = [:]
        /// Rows holding a session never synced.
        package var neverChecked = 0
        /// Completed rows per `result_recommendation` (`APPROVE`, `REJECT`, `NOT_AVAILABLE`).
        package var recommendations: [String: Int] = [:]
        /// Rows marked for a fetch that has not happened yet (a sync stopped, or retries scheduled).
        package var syncWaiting = 0
        /// Notifications stored for the batch's sessions (a replay counts once).
        package var notificationsReceived = 0
        /// Of those, the ones waiting for a sync.
        package var notificationsPending = 0
        /// The latest `result_checked_at`.
        package var lastCheckedAt: String?

        /// Rows at `state`, or zero.
        package func count(_ state: String) -> Int { states[state, default: 0] }
    }

    /// A batch's current pause.
    package struct Pause: Sendable, Hashable {
        package var at: String
        package var by: String?
        package var reason: String?
    }

    /// One `idv.batch_actions` row.
    package struct Action: Sendable, Hashable {
        package var id: Int64
        /// `pause`, `resume`, `cancel`, `reissue`.
        package var action: String
        package var actor: String
        package var reason: String?
        package var at: String
        /// What it did (e.g. rows cancelled, rows skipped because a worker held them).
        package var details: JSONValue?
    }

    /// In-Branch follow-through of a batch: rows per `instructions_status`, and letters saved.
    package struct FollowThroughCounts: Sendable, Hashable {
        /// Rows per `instructions_status` (`pending`, `configured`, `sent`, `letter_saved`, `emailed`,
        /// `failed`, `not_needed`); rows without one are not counted.
        package var states: [String: Int] = [:]
        /// Rows with a letter on disk (`letter_path` set).
        package var lettersSaved = 0
        /// Bytes of those letters.
        package var letterBytes: Int64 = 0
    }

    /// Rows per state.
    package struct Rows: Sendable, Hashable {
        package var total = 0
        package var pending = 0
        package var inProgress = 0
        package var created = 0
        package var failed = 0
        package var expired = 0
        package var cancelled = 0

        /// Adds `count` rows of `state` (unknown states only count towards the total).
        mutating func add(_ count: Int, state: String) {
            total += count
            switch RequestStatus(rawValue: state) {
            case .pending: pending += count
            case .inProgress: inProgress += count
            case .created: created += count
            case .failed: failed += count
            case .expired: expired += count
            case .cancelled: cancelled += count
            case nil: break
            }
        }
    }

    /// Failed rows of one class with one example.
    package struct ErrorClass: Sendable, Hashable {
        package var name: String
        package var count: Int
        package var example: Example
    }

    /// One failed row.
    package struct Example: Sendable, Hashable {
        package var id: Int64
        package var externalRef: String
        /// `last_error` (never holds tokens or keys).
        package var lastError: String?
        package var lastHTTPStatus: Int?
    }

    /// Sessions of the batch.
    package struct Sessions: Sendable, Hashable {
        /// Rows holding a `session_id` (created or expired).
        package var rowsWithSession = 0
        /// Sessions the ledger (`idv.attempts`) says Yoti created, including ones whose write-back lost its lease.
        package var createdInLedger = 0
        /// Sessions deleted at Yoti by `expire --delete-remote`.
        package var remoteDeleted = 0
    }

    /// Scheduled retries.
    package struct Retries: Sendable, Hashable {
        /// Pending rows that have been tried before (waiting for `next_attempt_at`).
        package var scheduled = 0
        /// The earliest of their `next_attempt_at`.
        package var nextAt: String?
    }

    /// One `idv.runs` row.
    package struct Run: Sendable, Hashable {
        package var id: Int64
        /// `run`, `rerun`, `expire` or `sync`.
        package var kind: String
        package var worker: String?
        /// The run was not limited to batches (its counts cover every batch).
        package var allBatches: Bool
        package var startedAt: String
        package var finishedAt: String?
        /// From start to end, including an In-Branch follow-through after the sessions were created.
        package var durationSeconds: Double?
        /// The time spent creating sessions (`run`, `rerun`; `nil` for older rows and other kinds).
        package var creatingSeconds: Double? = nil
        package var exitCode: Int?
        package var rowsCreated: Int
        package var rowsFailed: Int
        package var rowsRetried: Int
        /// Sessions created per second of the time spent creating them (``creatingSeconds``, or the whole
        /// duration for older rows), as the run's own summary says; `nil` for expire sweeps and syncs.
        package var sessionsPerSecond: Double?
        /// Expire sweeps: rows marked expired, and sessions deleted at Yoti (including ones already gone).
        package var expired: Int? = nil
        package var remoteDeleted: Int? = nil
    }

    /// One `idv.reruns` row, with the duration and throughput of the run that processed it.
    package struct Rerun: Sendable, Hashable {
        package var id: Int64
        package var requestedBy: String?
        package var requestedAt: String
        /// `{"error_classes": [...], "http_statuses": [...]}`.
        package var filters: JSONValue?
        package var rowsRequeued: Int?
        package var runID: Int64?
        package var runDurationSeconds: Double?
        package var runSessionsPerSecond: Double?
    }
}
