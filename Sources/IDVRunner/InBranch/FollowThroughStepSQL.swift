/// The SQL the three In-Branch follow-through steps share: rows of `status = 'created'` waiting at one
/// `instructions_status`, due by `instructions_next_at`, attempts counted in `instructions_attempts`.
///
/// Every step's write-back starts with the same four columns (``FollowThroughRecord``): the new
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

    static let commonColumns: [StepSQL.Column] = [
        .init(name: "instructions_status", type: "text"), .init(name: "attempts", type: "integer"),
        .init(name: "retry_delay", type: "float8"), .init(name: "instructions_error", type: "text"),
        .init(name: "replaces_error", type: "boolean"),
    ]

    static let commonAssignments = """
        instructions_status = coalesce(u.instructions_status, r.instructions_status),
                instructions_attempts = u.attempts,
                instructions_next_at = CASE WHEN u.instructions_status IS NOT NULL THEN NULL
                    WHEN u.retry_delay IS NULL THEN r.instructions_next_at
                    ELSE now() + make_interval(secs => u.retry_delay) END,
                instructions_error = CASE WHEN u.replaces_error THEN u.instructions_error ELSE r.instructions_error END
        """

    /// The parts for the step taking rows at `waitingAt` (a literal state name, not a value from input).
    static func parts(
        waitingAt state: String, claimReturning: String, extraColumns: [StepSQL.Column] = [],
        extraAssignments: String = ""
    ) -> StepSQL {
        StepSQL(
            runnable: "r.status = 'created' AND r.instructions_status = '\(state)'",
            dueColumn: "instructions_next_at",
            claimReturning: "r.session_id, r.instructions_attempts AS counted_attempts, " + claimReturning,
            // A worker that died mid-call: count the attempt, and stop after the maximum.
            releaseAssignments: """
                instructions_attempts = r.instructions_attempts + 1,
                        instructions_status = CASE WHEN r.instructions_attempts + 1 >= $3 THEN 'failed'
                            ELSE r.instructions_status END,
                        instructions_error = 'worker ' || coalesce(r.lease_owner, '?') || ' stopped mid-call; '
                            || 'the call may have reached Yoti (see idv.attempts)',
                """,
            releasedFailed: "r.instructions_status = 'failed'",
            rowColumns: commonColumns + extraColumns,
            rowAssignments: commonAssignments + (extraAssignments.isEmpty ? "" : ",\n        " + extraAssignments)
        )
    }
}

/// The common part of a follow-through write-back.
enum FollowThroughRecord {
    /// `instructions_status`, attempts, retry delay, error and whether it replaces the row's.
    /// - Parameter next: the state a success moves the row to.
    static func common(_ decision: RetryPolicy.Decision, next: String) -> [String?] {
        let status: String?
        var attempts = decision.attempts
        switch decision.disposition {
        case .succeeded:
            status = next
            attempts = 0
        case .failed: status = "failed"
        case .retryScheduled, .released, .abortRun: status = nil
        }
        let error = decision.disposition == .succeeded ? nil : decision.lastError
        return [
            status, String(attempts), decision.retryDelay.map { String($0.secondsDouble) }, error,
            decision.replacesError ? "true" : "false",
        ]
    }
}
