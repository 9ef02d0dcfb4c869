import Foundation
import HTTPServerLimits
import Synchronization
import TestSupport
import Testing

@testable import NotificationsReceiver

#if canImport(Glibc)
    import Glibc
#endif

/// Clients that connect and send nothing, or half a request, cannot wear the receiver down: idle
/// connections are closed, connections over the cap answered 503 at once, and `/healthz` reaches the
/// database at most once per period however often it is asked.
@Suite("Notifications receiver: idle connections and the connection cap", .timeLimit(.minutes(3)))
struct ReceiverLimitsTests {
    /// Half a request: the headers never end.
    static let halfRequest = "POST /notifications HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Le"

    @Test("300 half-sent requests are closed after the idle timeout; a valid notification sent meanwhile is stored")
    func halfOpenConnectionsClosed() async throws {
        try await ReceiverHarness.withDatabase(adjust: {
            $0.limits.idleTimeout = .seconds(2)
            $0.limits.maxConnections = 64
        }) { harness in
            let started = ContinuousClock.now
            let port = harness.port
            let held = try await RawConnections.run {
                try RawConnections(count: 300, port: port, sending: Self.halfRequest)
            }
            // Yoti retries a 503 (a full cap); the notification gets in once the idle timeout (2 s) has closed
            // the held connections, which without it would hold the cap for ever. The bound is loose: the whole
            // suite shares two cores.
            let body = ReceiverHarness.notification(session: "s-while-held")
            var status = 0
            while ContinuousClock.now - started < .seconds(20) {
                status = try await harness.post(body).status
                if status == 202 { break }
                #expect(status == 503, "only 503 (cap reached) may come before 202")
                try await Task.sleep(for: .milliseconds(250))
            }
            let stored = ContinuousClock.now - started
            #expect(status == 202)
            #expect(try await harness.stored(session: "s-while-held").count == 1)
            #expect(stored < .seconds(20), "stored after \(stored)")
            // Every held connection was closed by the server: none of them waits for its senders.
            let outcomes = try await RawConnections.run { held.readUntilClosed(within: .seconds(10)) }
            #expect(outcomes.filter { $0 == nil }.count == 0, "connections still open after the idle timeout")
            // Those over the cap that sent bytes were told why.
            let refused = outcomes.compactMap { $0 }.filter { $0.hasPrefix("HTTP/1.1 503") }
            #expect(refused.allSatisfy { $0.contains("Retry-After: 10") })
        }
    }

    @Test("beyond the connection limit a new connection is answered 503 with Retry-After at once, then served again")
    func capAnswers503() async throws {
        try await ReceiverHarness.withDatabase(adjust: { $0.limits.maxConnections = 8 }) { harness in
            let port = harness.port
            let held = try await RawConnections.run {
                try RawConnections(count: 8, port: port, sending: Self.halfRequest)
            }
            // Give the server a moment to accept all eight.
            try await Task.sleep(for: .milliseconds(500))
            let started = ContinuousClock.now
            let extra = try await RawConnections.run {
                try RawConnections(count: 1, port: port, sending: "GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n")
            }
            let answer = try await RawConnections.run { extra.readUntilClosed(within: .seconds(10)) }
            #expect(ContinuousClock.now - started < .seconds(5))
            let text = try #require(answer.first ?? nil, "the extra connection was left open")
            #expect(text.hasPrefix("HTTP/1.1 503 Service Unavailable\r\n"), "\(text)")
            #expect(text.contains("Retry-After: 10\r\n") && text.contains("Connection: close\r\n"))
            #expect(harness.metrics.render().contains("idv_notifications_connections_refused_total 1"))
            // Once the held connections go, the receiver serves again.
            for descriptor in held.descriptors { _ = shutdown(descriptor, Int32(SHUT_RDWR)) }
            try await Task.sleep(for: .milliseconds(500))
            #expect(try await harness.post(ReceiverHarness.notification(session: "s-after-cap")).status == 202)
        }
    }

    @Test("healthz asks the database at most once per cache period, however many ask at once")
    func healthCached() async throws {
        let probes = ProbeCounter()
        let check = HealthCheck(cacheDuration: .milliseconds(500)) {
            probes.increment()
            try? await Task.sleep(for: .milliseconds(50))
            return true
        }
        await withTaskGroup(of: Bool.self) { group in
            for _ in 0..<200 { group.addTask { await check.isHealthy() } }
            for await healthy in group { #expect(healthy) }
        }
        #expect(probes.count == 1)
        try await Task.sleep(for: .milliseconds(600))
        #expect(await check.isHealthy())
        #expect(probes.count == 2)
    }
}

/// Counts probes across tasks.
final class ProbeCounter: Sendable {
    private let value = Mutex(0)
    func increment() { value.withLock { $0 += 1 } }
    var count: Int { value.withLock { $0 } }
}
