import AsyncHTTPClient
import Foundation
import Testing
import YotiAPI
import YotiSandbox

@Suite("Sandbox fault injection")
struct FaultInjectionTests {
    @Test(
        "500 and 503 answer an HTML page and create nothing",
        arguments: [
            (SandboxBehaviour.FaultRates(internalServerError: 1), 500),
            (SandboxBehaviour.FaultRates(serviceUnavailable: 1), 503),
        ])
    func serverErrors(rates: SandboxBehaviour.FaultRates, status: Int) async throws {
        try await SandboxHarness.with(behaviour: .faulty(rates)) { h async throws in
            let reply = try await h.createSession()
            #expect(reply.status == status)
            #expect(reply.headers.first(name: "Content-Type") == "text/html")
            #expect(reply.headers.first(name: "x-request-id") != nil)
            #expect(h.sandbox.stats().sessionsCreated == 0)
            #expect(h.sandbox.stats().faults(String(status)) == 1)
        }
    }

    @Test("an injected 429 carries Retry-After and creates nothing")
    func tooManyRequests() async throws {
        try await SandboxHarness.with(behaviour: .faulty(.init(tooManyRequests: 1))) { h async throws in
            let reply = try await h.createSession()
            #expect(reply.status == 429)
            #expect(reply.headers.first(name: "Retry-After") == "1")
            #expect(h.sandbox.stats().sessionsCreated == 0)
        }
    }

    /// The call must fail because the connection dropped, not because the client waited out its timeout.
    static func expectDropped(_ call: () async throws -> SandboxHarness.Reply) async throws {
        let error = await #expect(throws: (any Error).self) { try await call() }
        #expect((error as? HTTPClientError) != .deadlineExceeded)
    }

    @Test("reset before creating: the connection drops, nothing is created")
    func resetBefore() async throws {
        try await SandboxHarness.with(behaviour: .faulty(.init(resetBeforeCreating: 1))) { h async throws in
            try await Self.expectDropped { try await h.createSession() }
            let stats = h.sandbox.stats()
            #expect(stats.sessionsCreated == 0)
            #expect(stats.faults("reset_before") == 1)
            #expect(stats.requestsByStatus.isEmpty)
        }
    }

    @Test("reset after creating: the connection drops, the session exists and is counted")
    func resetAfter() async throws {
        try await SandboxHarness.with(behaviour: .faulty(.init(resetAfterCreating: 1))) { h async throws in
            try await Self.expectDropped { try await h.createSession() }
            let stats = h.sandbox.stats()
            #expect(stats.sessionsCreated == 1)
            #expect(stats.sessionsPerUserTrackingID == ["harness-row-1": 1])
            #expect(stats.faults("reset_after") == 1)
        }
    }

    @Test("malformed: 201 with a truncated body that is not JSON and carries no token; the session exists")
    func malformed() async throws {
        try await SandboxHarness.with(behaviour: .faulty(.init(malformedCreated: 1))) { h async throws in
            let reply = try await h.createSession()
            #expect(reply.status == 201)
            #expect(reply.json == nil)
            #expect(reply.created == nil)
            #expect(!String(decoding: reply.body, as: UTF8.self).contains("client_session_token\""))
            #expect(h.sandbox.stats().sessionsCreated == 1)
        }
    }

    @Test(
        "a stall holds the request past the client's timeout; the session is created only if configured",
        .timeLimit(.minutes(1)), arguments: [true, false])
    func stall(createsSession: Bool) async throws {
        let behaviour = SandboxBehaviour(
            faults: .init(stall: 1), stallDuration: .seconds(30), stallCreatesSession: createsSession)
        try await SandboxHarness.with(behaviour: behaviour) { h async throws in
            await #expect(throws: HTTPClientError.deadlineExceeded) {
                try await h.createSession(timeout: .milliseconds(300))
            }
            // The client gave up on its own clock; under load the sandbox may reach the request a moment later.
            try await h.waitUntil { h.sandbox.stats().faults("stall") == 1 }
            let stats = h.sandbox.stats()
            #expect(stats.faults("stall") == 1)
            #expect(stats.sessionsCreated == (createsSession ? 1 : 0))
            // Still held: the sandbox has not answered or closed yet.
            #expect(stats.concurrentRequests == 1)
        }
    }

    @Test("shutdown ends stalled requests at once", .timeLimit(.minutes(1)))
    func shutdownEndsStalls() async throws {
        let sandbox = try await SandboxHarness.with(behaviour: .faulty(.init(stall: 1))) { h async throws in
            await #expect(throws: (any Error).self) { try await h.createSession(timeout: .milliseconds(200)) }
            try await h.waitUntil { h.sandbox.stats().faults("stall") == 1 }
            #expect(h.sandbox.stats().concurrentRequests == 1)
            return h.sandbox
        }
        #expect(sandbox.stats().concurrentRequests == 0)
    }

    @Test("the same seed gives the same fault sequence")
    func seededDeterminism() async throws {
        func statuses(seed: UInt64) async throws -> [Int] {
            try await SandboxHarness.with(behaviour: .faulty(.init(internalServerError: 0.5), seed: seed)) {
                h async throws in
                var statuses: [Int] = []
                for _ in 0..<16 { statuses.append(try await h.createSession().status) }
                return statuses
            }
        }
        let first = try await statuses(seed: 42)
        #expect(try await statuses(seed: 42) == first)
        #expect(Set(first) == [201, 500])
    }

    @Test("faults reach other endpoints only with the every-request scope", arguments: [true, false])
    func scope(everyRequest: Bool) async throws {
        try await SandboxHarness.with { h async throws in
            let created = try #require(try await h.createSession().created)
            try h.sandbox.setBehaviour(
                SandboxBehaviour(
                    faults: .init(internalServerError: 1),
                    faultScope: everyRequest ? .everyIDVRequest : .createSession))
            let reply = try await h.idv("GET", "/sessions/\(created.sessionID)")
            #expect(reply.status == (everyRequest ? 500 : 200))
        }
    }

    @Test("out-of-range behaviour is refused and the old behaviour kept")
    func invalidBehaviour() async throws {
        try await SandboxHarness.with { h async throws in
            #expect(throws: SandboxError.self) {
                try h.sandbox.setBehaviour(.faulty(.init(internalServerError: 0.7, stall: 0.7)))
            }
            #expect(throws: SandboxError.self) { try h.sandbox.setBehaviour(.rateLimited(0)) }
            #expect(h.sandbox.behaviour == .healthy)
        }
    }
}
