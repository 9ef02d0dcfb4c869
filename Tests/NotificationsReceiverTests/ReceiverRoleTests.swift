import Foundation
import NotificationsReceiver
import PostgresClient
import TestSupport
import Testing

/// `sql/roles/least-privilege.sql`'s idv_receiver: enough to store and count notifications, nothing more.
@Suite("Notifications receiver: least privilege", .timeLimit(.minutes(3)))
struct ReceiverRoleTests {
    @Test(
        "idv_receiver stores and counts replays; cannot mark processed, delete, read the requests, or insert a row already processed, counted or dated"
    )
    func receiverRole() async throws {
        try await MigratedDatabase.with { database in
            try await LeastPrivilegeScript.apply(on: database.pool)
            // Role names cannot be parameters; this one is a fixed word and a UUID fragment.
            let login = "idv_receiver_\(UUID().uuidString.prefix(8).lowercased())"
            _ = try await database.pool.execute("CREATE ROLE \(login) LOGIN IN ROLE idv_receiver")
            let configuration = try PostgresConfiguration(
                database.configuration.unredactedConnectionString + " user=\(login)")
            let pool = PostgresPool(configuration: configuration, maxConnections: 2)
            do {
                try await ReceiverHarness.with(pool: pool) { (harness: ReceiverHarness) async throws in
                    let body = ReceiverHarness.notification(session: "s-role")
                    #expect(try await harness.post(body).status == 202)
                    #expect(try await harness.post(body).status == 202)
                }
                #expect(
                    try await database.count("SELECT 1 FROM idv.notifications WHERE received_count = 2") == 1)
                for forbidden in [
                    "UPDATE idv.notifications SET processed_at = now()", "DELETE FROM idv.notifications",
                    "SELECT count(*) FROM idv.verification_requests",
                    // Only the columns the receiver writes may be inserted: a row processed in the future
                    // would be hidden from sync.
                    "INSERT INTO idv.notifications (session_id, topic, body, processed_at) "
                        + "VALUES ('s-hide', 'session_completion', '{}', now() + interval '1 year')",
                    "INSERT INTO idv.notifications (session_id, topic, body, received_count) "
                        + "VALUES ('s-count', 'session_completion', '{}', 1000)",
                    "INSERT INTO idv.notifications (session_id, topic, body, last_received_at) "
                        + "VALUES ('s-date', 'session_completion', '{}', now() + interval '1 year')",
                ] {
                    let error = await #expect(throws: PostgresError.self) { try await pool.execute(forbidden) }
                    #expect(error?.sqlState == "42501", "\(forbidden): \(String(describing: error))")
                }
                await pool.shutdown()
                _ = try? await database.pool.execute("DROP OWNED BY \(login)")
                _ = try? await database.pool.execute("DROP ROLE IF EXISTS \(login)")
            } catch {
                await pool.shutdown()
                _ = try? await database.pool.execute("DROP OWNED BY \(login)")
                _ = try? await database.pool.execute("DROP ROLE IF EXISTS \(login)")
                throw error
            }
        }
    }
}
