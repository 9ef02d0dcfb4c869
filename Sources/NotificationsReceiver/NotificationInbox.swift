import Foundation
import PostgresClient

/// idv.notifications (sql/0008): each notification stored once per identity, a replay counted.
package struct NotificationInbox: Sendable {
    /// What storing did.
    package enum Outcome: Sendable, Equatable {
        /// A new row.
        case inserted
        /// The same notification was already stored: `received_count` went up, `last_received_at` moved.
        case replayed
    }

    private let pool: PostgresPool

    /// An inbox in `pool`'s database.
    package init(pool: PostgresPool) { self.pool = pool }

    /// One statement in autocommit: when it returns, the row is committed (only then may the receiver
    /// answer 2xx). The conflict target is the identity index `notifications_identity_idx`.
    static let upsert = """
        INSERT INTO idv.notifications (session_id, topic, check_id, task_id, resource_id, body)
        VALUES ($1, $2, $3, $4, $5, $6::jsonb)
        ON CONFLICT (session_id, topic, coalesce(check_id, ''), coalesce(task_id, ''), coalesce(resource_id, ''))
        DO UPDATE SET received_count = idv.notifications.received_count + 1, last_received_at = now()
        RETURNING (xmax = 0) AS inserted
        """

    /// Stores `notification` with its raw `body`; a connection found broken is replaced and the
    /// statement tried once more (it is idempotent).
    /// - Throws: ``PostgresError`` (the database is down, or refused the row).
    package func store(_ notification: IncomingNotification, body: Data) async throws -> Outcome {
        let parameters: [PostgresValue] = [
            .text(notification.sessionID), .text(notification.topic),
            .optional(notification.checkID, PostgresValue.text), .optional(notification.taskID, PostgresValue.text),
            .optional(notification.resourceID, PostgresValue.text), try .jsonb(bytes: body),
        ]
        let rows: PostgresRows
        do {
            rows = try await pool.query(Self.upsert, parameters)
        } catch let error as PostgresError where Self.isLostConnection(error) {
            rows = try await pool.query(Self.upsert, parameters)
        }
        return try rows[0].decode(Bool.self, "inserted") ? .inserted : .replayed
    }

    /// Whether the database answers (`SELECT 1`).
    package func isReachable() async -> Bool {
        (try? await pool.query("SELECT 1 AS one")) != nil
    }

    /// A connection that died under the statement (server restarted): a fresh one may well work.
    static func isLostConnection(_ error: PostgresError) -> Bool {
        error.code == .connectionLost || error.code == .connectionClosed
            || error.sqlState == PostgresError.SQLState.adminShutdown
    }

    /// The database refused the row itself (a data exception, a check constraint): retrying cannot help.
    static func isRefusedRow(_ error: any Error) -> Bool {
        guard let error = error as? PostgresError else { return false }
        if error.code == .invalidParameter { return true }
        guard error.code == .server, let state = error.sqlState else { return false }
        return state.hasPrefix("22") || state == "23514"
    }
}
