import Foundation
import PostgresClient

/// Rows inserted straight into `idv.verification_requests` in a state a run would have left them in, for
/// tests of what comes after (the sweep, cancel). Through the table's owner: the new-row trigger lets it.
package enum SeededRows {
    /// Inserts `count` rows `<prefix>1 …` into `batch` as `created`, session `sess-<prefix>N` with token
    /// `token-<prefix>N` expiring at `expiresAt`.
    package static func created(
        _ pool: PostgresPool, batch: String, prefix: String, count: Int, expiresAt: Date
    ) async throws {
        try await pool.execute(
            """
            INSERT INTO idv.verification_requests
                (batch_id, external_ref, session_spec, status, attempts, session_id, client_session_token, token_expires_at)
            SELECT $1, $2 || g, '{}'::jsonb, 'created', 1, 'sess-' || $2 || g, 'token-' || $2 || g, $3
            FROM generate_series(1, $4::int) AS g
            """, [.text(batch), .text(prefix), .timestamp(expiresAt), .int(count)])
    }
}
