import Foundation
import Testing

@testable import IDVRunner

@Suite("--deadline parsing")
struct RunDeadlineTests {
    @Test(
        "durations are relative to now",
        arguments: [
            ("6h", 21_600.0), ("90m", 5_400.0), ("1h30m", 5_400.0), ("45s", 45.0), ("1d", 86_400.0), ("0.5h", 1_800.0),
        ])
    func durations(text: String, seconds: Double) {
        let now = Date(timeIntervalSince1970: 1_000_000)
        #expect(RunDeadline.parse(text, now: now) == now.addingTimeInterval(seconds))
    }

    @Test("ISO 8601 instants are absolute")
    func instants() throws {
        let date = try #require(RunDeadline.parse("2026-11-22T06:00:00Z", now: Date()))
        #expect(date.timeIntervalSince1970 == 1_795_327_200)
        #expect(RunDeadline.parse("2026-11-22T06:00:00.250Z") != nil)
    }

    @Test("anything else is rejected", arguments: ["", "6", "h", "6x", "tomorrow", "6h30", "2026-13-45"])
    func rejects(text: String) {
        #expect(RunDeadline.parse(text) == nil)
    }
}
