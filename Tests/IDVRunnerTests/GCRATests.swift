import Foundation
import Testing

@testable import IDVRunner

@Suite("GCRA maths of the shared rate limit")
struct GCRATests {
    @Test(
        "reservation size is a tenth of a second's worth, at least one",
        arguments: [
            (0.5, 1), (1.0, 1), (9.9, 1), (10.0, 1), (25.0, 2), (100.0, 10), (640.0, 64),
        ])
    func reservationSize(rate: Double, expected: Int) {
        #expect(GCRA.reservationSize(rate: rate) == expected)
    }

    @Test("a reservation starts at max(tat, now, pause) and moves tat by k / rate")
    func reserve() {
        let now = Date(timeIntervalSince1970: 1_000)
        // Idle batch: starts now.
        var r = GCRA.reserve(tat: now.addingTimeInterval(-5), now: now, pausedUntil: nil, count: 4, rate: 8)
        #expect(r.start == now)
        #expect(r.newTAT == now.addingTimeInterval(0.5))
        // Busy batch: queues behind the existing tat.
        r = GCRA.reserve(tat: now.addingTimeInterval(2), now: now, pausedUntil: nil, count: 1, rate: 4)
        #expect(r.start == now.addingTimeInterval(2))
        #expect(r.newTAT == now.addingTimeInterval(2.25))
        // A 429 pause beyond tat wins.
        r = GCRA.reserve(
            tat: now.addingTimeInterval(1), now: now, pausedUntil: now.addingTimeInterval(3), count: 2, rate: 2)
        #expect(r.start == now.addingTimeInterval(3))
        #expect(r.newTAT == now.addingTimeInterval(4))
    }

    @Test(
        "back-to-back reservations by several workers never put more than rate + 1 sends in any second",
        arguments: [(1.0, 3), (7.0, 4), (20.0, 4), (100.0, 2)])
    func interleavedWorkersStayWithinRate(rate: Double, workers: Int) {
        var tat: Date? = nil
        var now = Date(timeIntervalSince1970: 0)
        var sends: [Date] = []
        let k = GCRA.reservationSize(rate: rate)
        for round in 0..<Int(rate * 3) + 3 {
            for _ in 0..<workers {
                let r = GCRA.reserve(tat: tat, now: now, pausedUntil: nil, count: k, rate: rate)
                tat = r.newTAT
                sends += GCRA.slotOffsets(count: k, rate: rate).map { r.start.addingTimeInterval($0.secondsDouble) }
            }
            now = now.addingTimeInterval(Double(round % 3) * 0.05)
        }
        #expect(GCRA.maximumInWindow(sends) <= Int(rate.rounded(.down)) + 1)
        #expect(sends.count == Set(sends).count)
    }

    @Test("slot offsets are i / rate")
    func slotOffsets() {
        #expect(
            GCRA.slotOffsets(count: 4, rate: 4) == [.zero, .milliseconds(250), .milliseconds(500), .milliseconds(750)])
        #expect(GCRA.slotOffsets(count: 0, rate: 4).isEmpty)
    }

    @Test("the window count finds the densest second")
    func windowCount() {
        let base = Date(timeIntervalSince1970: 0)
        let instants = [0.0, 0.1, 0.2, 0.95, 1.0, 1.05, 3.0].map { base.addingTimeInterval($0) }
        #expect(GCRA.maximumInWindow(instants) == 5)  // 0.1 ... 1.05
        #expect(GCRA.maximumInWindow([]) == 0)
    }
}
