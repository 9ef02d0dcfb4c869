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
///    "reruns": [{"id": 1, "requested_by": "…", "requested_at": "…", "filters": {…}, "rows_requeued": 0,
///                "run_id": 1|null, "run_duration_seconds": 1.5|null, "run_sessions_per_second": 0.0|null}]}]}
/// ```
/// Times are RFC 3339 UTC with milliseconds. Fields are only ever added under the same
/// `schema_version`; a removal or change of meaning bumps it.
public struct BatchStatusReport: Sendable, Hashable {
    /// The version of this shape.
    public static let currentSchemaVersion = 1

    public var schemaVersion: Int
    public var generatedAt: String
    public var batches: [Batch]

    /// One batch.
    public struct Batch: Sendable, Hashable {
        public var batchID: String
        /// When the batch was registered in `idv.batches` (`enqueue` does it; plain INSERTs do not).
        public var registeredAt: String?
        public var note: String?
        public var rows: Rows
        /// Failed rows per error class, largest first.
        public var errorClasses: [ErrorClass]
        public var sessions: Sessions
        /// Rows flagged `possible_duplicate` (an earlier call's outcome was unknown).
        public var possibleDuplicates: Int
        public var retries: Retries
        /// The latest runs that touched the batch (its own, and runs over all batches), newest first.
        public var runs: [Run]
        /// Its reruns, newest first.
        public var reruns: [Rerun]
    }

    /// Rows per state.
    public struct Rows: Sendable, Hashable {
        public var total = 0
        public var pending = 0
        public var inProgress = 0
        public var created = 0
        public var failed = 0
        public var expired = 0
        public var cancelled = 0

        /// Adds `count` rows of `state` (unknown states only count towards the total).
        mutating func add(_ count: Int, state: String) {
            total += count
            switch state {
            case "pending": pending += count
            case "in_progress": inProgress += count
            case "created": created += count
            case "failed": failed += count
            case "expired": expired += count
            case "cancelled": cancelled += count
            default: break
            }
        }
    }

    /// Failed rows of one class with one example.
    public struct ErrorClass: Sendable, Hashable {
        public var name: String
        public var count: Int
        public var example: Example
    }

    /// One failed row.
    public struct Example: Sendable, Hashable {
        public var id: Int64
        public var externalRef: String
        /// `last_error` (never holds tokens or keys).
        public var lastError: String?
        public var lastHTTPStatus: Int?
    }

    /// Sessions of the batch.
    public struct Sessions: Sendable, Hashable {
        /// Rows holding a `session_id` (created or expired).
        public var rowsWithSession = 0
        /// Sessions the ledger (`idv.attempts`) says Yoti created, including ones whose write-back lost its lease.
        public var createdInLedger = 0
        /// Sessions deleted at Yoti by `expire --delete-remote`.
        public var remoteDeleted = 0
    }

    /// Scheduled retries.
    public struct Retries: Sendable, Hashable {
        /// Pending rows that have been tried before (waiting for `next_attempt_at`).
        public var scheduled = 0
        /// The earliest of their `next_attempt_at`.
        public var nextAt: String?
    }

    /// One `idv.runs` row.
    public struct Run: Sendable, Hashable {
        public var id: Int64
        /// `run`, `rerun` or `expire`.
        public var kind: String
        public var worker: String?
        /// The run was not limited to batches (its counts cover every batch).
        public var allBatches: Bool
        public var startedAt: String
        public var finishedAt: String?
        public var durationSeconds: Double?
        public var exitCode: Int?
        public var rowsCreated: Int
        public var rowsFailed: Int
        public var rowsRetried: Int
        /// Sessions created per second of the run's duration.
        public var sessionsPerSecond: Double?
    }

    /// One `idv.reruns` row, with the duration and throughput of the run that processed it.
    public struct Rerun: Sendable, Hashable {
        public var id: Int64
        public var requestedBy: String?
        public var requestedAt: String
        /// `{"error_classes": [...], "http_statuses": [...]}`.
        public var filters: JSONValue?
        public var rowsRequeued: Int?
        public var runID: Int64?
        public var runDurationSeconds: Double?
        public var runSessionsPerSecond: Double?
    }
}
