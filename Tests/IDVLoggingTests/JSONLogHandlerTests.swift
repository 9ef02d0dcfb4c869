import Foundation
import IDVLogging
import Logging
import TestSupport
import Testing

/// The JSON-lines log handler: one parseable object per line, correct escaping, flattened metadata.
@Suite("JSON log handler")
struct JSONLogHandlerTests {
    static func logger(_ lines: LogLines, level: Logger.Level = .trace, now: Date = Date()) -> Logger {
        var logger = Logger(label: "idv-batch.test") { JSONLogHandler(label: $0, now: { now }) { lines.append($0) } }
        logger.logLevel = level
        return logger
    }

    @Test(
        "messages and values with quotes, backslashes, newlines, control characters and non-ASCII round-trip through JSONSerialization",
        arguments: [
            "plain", "say \"hi\"", "back\\slash", "two\nlines\r\nand\ttab", "bell\u{07} nul\u{00} esc\u{1B} del\u{7F}",
            "Zoë — 東京 🎉 naïve", "separators \u{2028} \u{2029}", "{\"json\": [1, 2]}", "",
        ])
    func escaping(text: String) throws {
        let lines = LogLines()
        Self.logger(lines).warning("\(text)", metadata: ["value": "\(text)", "nested": ["inner \"key\"": "\(text)"]])
        let object = try #require(try lines.objects().first)
        #expect(object["msg"] as? String == text)
        #expect(object["value"] as? String == text)
        #expect(object["nested.inner \"key\""] as? String == text)
        // Nothing below U+0020 is written raw (a raw newline would split the line).
        let line = try #require(lines.all.first)
        #expect(!line.dropLast().unicodeScalars.contains { $0.value < 0x20 })
    }

    @Test("a line has ts (RFC 3339, ms, UTC), level, label and msg first, then the metadata flattened and sorted")
    func shape() throws {
        let lines = LogLines()
        var logger = Self.logger(lines, now: Date(timeIntervalSince1970: 1_763_690_400.1239))
        logger[metadataKey: LogKey.runID] = "42"
        logger.notice(
            "Row failed",
            metadata: [
                LogKey.batchID: "b1", "msg": "clash", "list": ["a", "b"], "nested": ["x": ["y": "z"]],
                "count": .stringConvertible(7),
            ])
        let line = try #require(lines.all.first)
        #expect(
            line.hasPrefix(
                #"{"ts":"2025-11-21T02:00:00.123Z","level":"notice","label":"idv-batch.test","msg":"Row failed","#))
        let object = try #require(try lines.objects().first)
        #expect(object["batch.id"] as? String == "b1" && object["run.id"] as? String == "42")
        #expect(object["metadata.msg"] as? String == "clash" && object["msg"] as? String == "Row failed")
        #expect(object["list"] as? [String] == ["a", "b"])
        #expect(object["nested.x.y"] as? String == "z" && object["count"] as? String == "7")
        // Metadata keys follow the fixed ones in sorted order.
        #expect(
            line == #"{"ts":"2025-11-21T02:00:00.123Z","level":"notice","label":"idv-batch.test","msg":"Row failed","#
                + #""batch.id":"b1","count":"7","list":["a","b"],"metadata.msg":"clash","nested.x.y":"z","run.id":"42"}"#
                + "\n")
    }

    @Test("the level filters, and per-call metadata wins over the logger's")
    func levelsAndMerging() throws {
        let lines = LogLines()
        var logger = Self.logger(lines, level: .info)
        logger[metadataKey: "k"] = "logger"
        logger.debug("hidden")
        logger.info("shown", metadata: ["k": "call"])
        let objects = try lines.objects()
        #expect(objects.count == 1)
        #expect(objects.first?["k"] as? String == "call" && objects.first?["level"] as? String == "info")
    }

    @Test(
        "log formats parse by name; anything else is refused",
        arguments: [("text", true), ("JSON", true), ("xml", false)])
    func formatNames(name: String, known: Bool) {
        #expect((LogFormat(name: name) != nil) == known)
    }
}
