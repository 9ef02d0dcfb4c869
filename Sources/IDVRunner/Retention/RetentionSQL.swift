/// SQL fragments purge, status and the overdue gauge share (over `r`, a row of `idv.verification_requests`).
enum RetentionSQL {
    /// Whether the row is finished as of `$asOf`: expired, failed or cancelled, or created with its token expired.
    static func finished(asOf: String) -> String {
        "(r.status IN ('expired', 'failed', 'cancelled') OR (r.status = 'created' AND r.token_expires_at <= \(asOf)))"
    }

    /// When the row finished: the token's expiry for expired and created rows, else its last change (when it
    /// failed or was cancelled).
    static let finishedAt =
        "(CASE WHEN r.status IN ('expired', 'created') THEN coalesce(r.token_expires_at, r.updated_at) ELSE r.updated_at END)"

    /// Finished, and `seconds` past that as of `asOf`.
    static func due(asOf: String, seconds: String) -> String {
        "\(finished(asOf: asOf)) AND \(finishedAt) <= \(asOf) - make_interval(secs => \(seconds))"
    }

    /// The row's batch is not under legal hold.
    static let notHeld =
        "NOT EXISTS (SELECT 1 FROM idv.batches hb WHERE hb.batch_id = r.batch_id AND hb.held_at IS NOT NULL)"
}
