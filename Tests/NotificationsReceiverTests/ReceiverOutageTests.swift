import Foundation
import LocalPostgres
import NotificationsReceiver
import PostgresClient
import Synchronization
import TestSupport
import Testing

/// The database stopped while notifications keep coming: 503 (so Yoti retries), then accepted again once
/// it is back, and every notification answered 2xx is in the table.
@Suite("Notifications receiver: database outage", .timeLimit(.minutes(5)))
struct ReceiverOutageTests {
    @Test("database stopped mid-stream: 503 with Retry-After, then accepted again; no 2xx'd notification lost")
    func databaseStoppedMidStream() async throws {
        let server = try await TemporaryPostgres.start(maxConnections: 30)
        do {
            let admin = try await PostgresConnection.connect(server.configuration)
            // A restart here is a crash (immediate stop): give this cluster production's durable commits, as
            // a 2xx promises the row survives.
            try await admin.execute("ALTER SYSTEM SET synchronous_commit = on")
            _ = try await admin.query("SELECT pg_reload_conf()")
            try await admin.execute("CREATE DATABASE idv_receiver")
            await admin.close()
            let database = server.configuration.withDatabase("idv_receiver")
            let migrating = try await PostgresConnection.connect(database)
            try await Migrator(directory: SharedPaths.migrations).migrate(on: migrating)
            await migrating.close()
            let pool = PostgresPool(configuration: database, maxConnections: 4)
            // /healthz reuses its answer for a while (5 s by default): short here, to see the outage and the
            // recovery within the test.
            try await ReceiverHarness.with(pool: pool, adjust: { $0.healthCacheDuration = .milliseconds(200) }) {
                harness in
                try await Self.exercise(harness, server: server)
            }
            await pool.shutdown()
            await server.stop()
        } catch {
            await server.stop()
            throw error
        }
    }

    /// What the posting tasks share.
    final class Tally: Sendable {
        let accepted = Mutex<[String]>([])
        let unavailable = Mutex(0)
        let counter = Atomic<Int>(0)
        let stop = Atomic<Bool>(false)
    }

    private static func exercise(_ harness: ReceiverHarness, server: TemporaryPostgres) async throws {
        let tally = Tally()
        /// Posts distinct notifications until told to stop, recording each answer.
        @Sendable func stream() async throws {
            while !tally.stop.load(ordering: .relaxed) {
                let session = "s-outage-\(tally.counter.add(1, ordering: .relaxed).newValue)"
                let reply = try await harness.post(ReceiverHarness.notification(session: session))
                switch reply.status {
                case 202: tally.accepted.withLock { $0.append(session) }
                case 503:
                    #expect(reply.headers.first(name: "Retry-After") != nil)
                    tally.unavailable.withLock { $0 += 1 }
                    try await Task.sleep(for: .milliseconds(20))
                default: Issue.record("unexpected \(reply.status) \(reply.body)")
                }
            }
        }
        try await withThrowingTaskGroup(of: Void.self) { group in
            for _ in 0..<4 { group.addTask { try await stream() } }
            group.addTask {
                try await Task.sleep(for: .milliseconds(500))
                try await server.restart(downtime: .seconds(3))
                // Back: keep posting until the receiver accepts again, then a little longer.
                let before = tally.accepted.withLock { $0.count }
                // Generous: under a loaded machine the receiver's pool takes a while to reconnect.
                let deadline = ContinuousClock.now + .seconds(120)
                while tally.accepted.withLock({ $0.count }) < before + 50, ContinuousClock.now < deadline {
                    try await Task.sleep(for: .milliseconds(50))
                }
                tally.stop.store(true, ordering: .relaxed)
            }
            // Health during the outage.
            group.addTask {
                try await Task.sleep(for: .milliseconds(1500))
                let health = try await harness.send(.GET, path: "/healthz", authorization: nil)
                #expect(health.status == 503)
            }
            try await group.waitForAll()
        }
        let acceptedSessions = tally.accepted.withLock { $0 }
        #expect(tally.unavailable.withLock { $0 } > 0, "no 503 while the database was down")
        #expect(acceptedSessions.count > 50)
        let stored = Set(
            try await harness.pool.query("SELECT session_id FROM idv.notifications").map {
                try $0.decode(String.self, "session_id")
            })
        let lost = acceptedSessions.filter { !stored.contains($0) }
        #expect(lost.isEmpty, "answered 202 but not stored: \(lost.prefix(5))")
        #expect(try await harness.send(.GET, path: "/healthz", authorization: nil).status == 200)
        #expect(harness.metrics.render().contains("idv_notifications_unavailable_total"))
    }
}
