/// The SQL the three In-Branch follow-through steps share: rows of `status = 'created'` waiting at one
/// `instructions_status`, due by `instructions_next_at`, attempts counted in `instructions_attempts`.
///
/// Every step's write-back starts with the same columns (``FollowThroughRecord``): the new
/// `instructions_status` (`NULL` keeps it), `attempts`, `retry_delay` (`NULL`: not rescheduled) and the error.
enum FollowThroughStepSQL {
    /// Over `r`: whether the row's spec (its own patch's topics, else its configuration's) subscribes to
    /// `INSTRUCTIONS_EMAIL_REQUESTED`, as `email_revoked`. A merge patch replaces an array whole, so the
    /// row's topics, when it has any, are the session's.
    static let emailRevoked = """
        coalesce(r.session_spec -> 'notifications' -> 'topics',
                                (SELECT sc.spec -> 'notifications' -> 'topics' FROM idv.session_configs sc
                                 WHERE sc.name = r.config_name))
                           @> '["INSTRUCTIONS_EMAIL_REQUESTED"]'::jsonb AS email_revoked
        """

    static let commonAssignments = """
        instructions_status = coalesce(u.instructions_status, r.instructions_status),
                instructions_attempts = u.attempts,
                instructions_next_at = CASE WHEN u.instructions_status IS NOT NULL THEN NULL
                    WHEN u.retry_delay IS NULL THEN r.instructions_next_at
                    ELSE now() + make_interval(secs => u.retry_delay) END,
                instructions_error = CASE WHEN u.replaces_error THEN u.instructions_error ELSE r.instructions_error END
        """

    /// The parts for the step taking rows at `waitingAt`.
    /// - Parameter columns: the step's write-back columns: ``FollowThroughRecord``'s, then its own.
    static func parts(
        waitingAt state: InstructionsStatus, claimReturning: String,
        columns: [StepSQL.Column] = FollowThroughRecord.sqlColumns, extraAssignments: String = ""
    ) -> StepSQL {
        StepSQL(
            runnable: "r.status = '\(RequestStatus.created)' AND r.instructions_status = '\(state)'",
            dueColumn: "instructions_next_at",
            claimReturning: "r.session_id, r.instructions_attempts AS counted_attempts, " + claimReturning,
            // A worker that died mid-call: count the attempt, and stop after the maximum.
            releaseAssignments: """
                instructions_attempts = r.instructions_attempts + 1,
                        instructions_status = CASE WHEN r.instructions_attempts + 1 >= p.max_attempts
                            THEN '\(InstructionsStatus.failed)'
                            ELSE r.instructions_status END,
                        instructions_error = 'worker ' || coalesce(r.lease_owner, '?') || ' stopped mid-call; '
                            || 'the call may have reached Yoti (see idv.attempts)',
                """,
            releasedFailed: "r.instructions_status = '\(InstructionsStatus.failed)'",
            rowColumns: columns,
            rowAssignments: commonAssignments + (extraAssignments.isEmpty ? "" : ",\n        " + extraAssignments)
        )
    }
}

/// The common part of a follow-through write-back: the row's new follow-through state and its attempts.
/// The write-back of a step that writes nothing else (``PutInstructionsStep``, ``RequestEmailStep``).
struct FollowThroughRecord: WriteBackRow, Hashable {
    /// The new state; `nil` keeps the row's (a retry).
    var instructionsStatus: InstructionsStatus?
    var attempts: Int
    /// The retry's delay; `nil`: not rescheduled.
    var retryDelay: Duration?
    var error: String?
    /// Whether ``error`` replaces the row's.
    var replacesError: Bool

    static let columns: [WriteBackColumn<Self>] = [
        .state("instructions_status") { $0.instructionsStatus }, .integer("attempts") { $0.attempts },
        .seconds("retry_delay") { $0.retryDelay }, .text("instructions_error") { $0.error },
        .boolean("replaces_error") { $0.replacesError },
    ]

    /// The common write-back of a decision.
    /// - Parameter next: the state a success moves the row to.
    init(_ decision: RetryPolicy.Decision, next: InstructionsStatus) {
        attempts = decision.attempts
        switch decision.disposition {
        case .succeeded:
            instructionsStatus = next
            attempts = 0
        case .failed: instructionsStatus = .failed
        case .retryScheduled, .released, .abortRun: instructionsStatus = nil
        }
        retryDelay = decision.retryDelay
        error = decision.disposition == .succeeded ? nil : decision.lastError
        replacesError = decision.replacesError
    }
}

/// One of the In-Branch follow-through steps: its rows are counted apart from sessions created
/// (`idv_follow_through_rows_total`, by operation and outcome).
protocol FollowThroughStep: RemoteStep {}

extension FollowThroughStep {
    func count(_ disposition: RetryPolicy.Disposition, in metrics: RunMetrics) {
        let outcome: String
        switch disposition {
        case .succeeded: outcome = successOutcome
        case .failed: outcome = "failed"
        case .retryScheduled: outcome = "retry"
        case .released, .abortRun: outcome = "released"
        }
        metrics.followThroughRow(operation: operation, outcome: outcome)
    }
}
