import Foundation
import Testing
import YotiAPI

@Suite("RFC 3339 parsing")
struct RFC3339Tests {
    @Test(
        "parses instants with offsets and fractions",
        arguments: [
            ("1970-01-01T00:00:00Z", 0.0),
            ("2024-09-03T23:59:59.000000+00:00", 1_725_407_999.0),
            ("2024-09-04T00:59:59.5+01:00", 1_725_407_999.5),
            ("2024-09-03t18:59:59-05:00", 1_725_407_999.0),
            ("2000-02-29T12:00:00Z", 951_825_600.0),
        ])
    func parses(text: String, epoch: Double) throws {
        let date = try #require(RFC3339.date(from: text))
        #expect(abs(date.timeIntervalSince1970 - epoch) < 0.001)
    }

    @Test(
        "refuses what is not RFC 3339",
        arguments: [
            "2024-09-03", "2024-09-03T23:59:59", "2024-09-03T24:00:00Z", "2024-13-01T00:00:00Z",
            "2023-02-29T00:00:00Z", "2024-09-03T23:59:59.Z", "2024-09-03T23:59:59+0100", "03/09/2024 23:59",
            "2024-09-03T23:59:59Z trailing",
        ])
    func refuses(text: String) {
        #expect(RFC3339.date(from: text) == nil)
    }
}
