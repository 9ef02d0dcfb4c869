import Foundation
import Testing
import YotiAPI

@testable import YotiSandbox

@Suite("Sandbox rate limit and latency")
struct RateLimitAndLatencyTests {
    @Test("above the rate, POST /sessions answers 429 with Retry-After and creates nothing")
    func rateLimit() async throws {
        // One per 10 s: three requests land inside the window even on a loaded machine (at 1/s they did not).
        try await SandboxHarness.with(behaviour: .rateLimited(0.1)) { h async throws in
            var statuses: [Int] = []
            var retryAfter: [String] = []
            for _ in 0..<3 {
                let reply = try await h.createSession()
                statuses.append(reply.status)
                if reply.status == 429 { retryAfter.append(reply.headers.first(name: "Retry-After") ?? "") }
            }
            #expect(statuses.first == 201)
            #expect(statuses.contains(429))
            #expect(retryAfter.allSatisfy { (1...10).contains(Int($0) ?? 0) }, "\(retryAfter)")
            let stats = h.sandbox.stats()
            #expect(stats.rateLimited == statuses.filter { $0 == 429 }.count)
            #expect(stats.sessionsCreated == statuses.filter { $0 == 201 }.count)
            #expect(stats.createRequests == 3)
        }
    }

    @Test("the sliding window admits ⌊R⌋ per second and names the wait")
    func slidingWindow() {
        let t0 = ContinuousClock.now
        var limiter = SlidingWindowLimiter(perSecond: 2.5)
        let waits = [0, 100, 200, 1000, 1050].map { limiter.admit(now: t0 + .milliseconds($0)) }
        #expect(waits == [nil, nil, 1, nil, 1])

        var slow = SlidingWindowLimiter(perSecond: 0.25)
        let slowWaits = [0, 500, 4000].map { slow.admit(now: t0 + .milliseconds($0)) }
        #expect(slowWaits == [nil, 4, nil])
    }

    @Test("the rate meter reports the busiest sliding second and the mean")
    func rateMeter() {
        let t0 = ContinuousClock.now
        var meter = RequestRateMeter()
        for ms in [0, 100, 200, 1500, 1600] { meter.record(t0 + .milliseconds(ms)) }
        #expect(meter.count == 5)
        #expect(meter.maxPerSecond == 3)
        #expect(abs(meter.meanPerSecond - 5 / 1.6) < 1e-9)
    }

    @Test("nonces are remembered within the window and the capacity, then forgotten")
    func nonceRegistry() {
        let t0 = ContinuousClock.now
        var registry = NonceRegistry(memory: .seconds(10), capacity: 3)
        // "a" is evicted by capacity when "d" arrives; "d" is forgotten ten seconds on.
        let uses: [(String, Int)] = [("a", 0), ("a", 1), ("b", 2), ("c", 3), ("d", 4), ("a", 5), ("d", 6), ("d", 15)]
        let fresh = uses.map { registry.use($0.0, now: t0 + .seconds($0.1)) }
        #expect(fresh == [true, false, true, true, true, true, false, true])
    }

    @Test("latency and jitter are drawn within bounds, reproducibly from the seed")
    func jitterDraws() throws {
        func delays(seed: UInt64) throws -> [Duration] {
            let behaviour = SandboxBehaviour(latency: .milliseconds(100), jitter: .milliseconds(50), seed: seed)
            let core = SandboxCore(
                configuration: SandboxConfiguration(
                    applications: [try SandboxHarness.testApplication()], behaviour: behaviour))
            return (0..<20).map { _ in core.begin(method: .GET, uri: "/idverify/v1/supported-documents").delay }
        }
        let first = try delays(seed: 7)
        #expect(first.allSatisfy { $0 >= .milliseconds(100) && $0 <= .milliseconds(150) })
        #expect(Set(first).count > 1)
        #expect(try delays(seed: 7) == first)
    }

    @Test("latency holds requests on timers, so many are in flight at once")
    func latencyConcurrency() async throws {
        try await SandboxHarness.with(behaviour: .latency(.seconds(1))) { h async throws in
            let started = ContinuousClock.now
            let statuses = try await withThrowingTaskGroup(of: Int.self) { group in
                for _ in 0..<6 {
                    group.addTask { try await h.idv("GET", "/supported-documents", includeSDKID: false).status }
                }
                return try await group.reduce(into: []) { $0.append($1) }
            }
            #expect(ContinuousClock.now - started >= .seconds(1))
            #expect(statuses == Array(repeating: 200, count: 6))
            #expect(h.sandbox.stats().peakConcurrentRequests == 6)
            #expect(h.sandbox.stats().concurrentRequests == 0)
        }
    }
}
