import Foundation
import PostgresClient
import TestSupport
import Testing

/// `idv-batch demo` as a new user runs it: a child process, its printed figures cross-checked.
@Suite("idv-batch demo")
struct DemoCommandTests {
    /// Every whole number in the first line containing `marker`, in order.
    static func numbers(after marker: String, in output: String) throws -> [Int] {
        let line = try #require(
            output.split(separator: "\n").first { $0.contains(marker) }, "no line with \"\(marker)\" in:\n\(output)")
        let tail = line[line.range(of: marker)!.upperBound...]
        return tail.split(whereSeparator: { !$0.isNumber }).compactMap { Int($0) }
    }

    /// The `n`th line (from 0) containing `marker`.
    static func line(_ marker: String, occurrence: Int, in output: String) throws -> String {
        let lines = output.split(separator: "\n").filter { $0.contains(marker) }
        try #require(lines.count > occurrence, "fewer than \(occurrence + 1) lines with \"\(marker)\" in:\n\(output)")
        return String(lines[occurrence])
    }

    static func counts(_ line: String) -> [Int] {
        line.split(whereSeparator: { !$0.isNumber }).compactMap { Int($0) }
    }

    @Test("demo completes, and the figures each step printed add up: rows in = sessions out = rows expired")
    func demoCompletesAndAddsUp() async throws {
        let rows = 240
        let result = try await IDVBatchProcess.run(
            [
                "demo", "--rows", "\(rows)", "--latency-ms", "5", "--jitter-ms", "20", "--fault-percent", "8", "--seed",
                "7",
            ],
            environment: [:])
        let output = result.output
        #expect(result.status == 0, "\(output)")

        // enqueue: "… 242 rows read, 240 inserted, 0 already present, 2 rejected …"
        let enqueued = try Self.numbers(after: "(jsonl):", in: output)
        #expect(enqueued.prefix(4) == [rows + 2, rows, 0, 2], "\(enqueued)")
        // the upstream rows that name a configuration not pushed yet
        let upstream = try #require(
            Self.counts(try Self.line("rows name the configuration", occurrence: 0, in: output)).first)
        #expect(upstream > 0)

        // Run 1 and the rerun: "this run: C sessions created, F failed, …"
        let first = Self.counts(try Self.line("this run:", occurrence: 0, in: output))
        let second = Self.counts(try Self.line("this run:", occurrence: 1, in: output))
        let requeued = try #require(Self.counts(try Self.line("Re-queued", occurrence: 0, in: output)).first)
        #expect(first[0] + first[1] == rows + upstream, "first run created + failed = every row: \(first)")
        #expect(first[1] == upstream, "only the rows naming the missing configuration fail: \(first)")
        #expect(requeued == first[1])
        #expect(second[0] == requeued && second[1] == 0, "the rerun creates what failed: \(second)")

        // The sweep expires every created row, and status then shows all rows expired.
        let expired = try #require(try Self.numbers(after: "expired now:", in: output).first)
        #expect(expired == first[0] + second[0])
        let header = try Self.line("pending   in_progress", occurrence: 0, in: output)
        let lines = output.split(separator: "\n").map(String.init)
        let totals = Self.counts(try #require(lines.firstIndex(of: header).map { lines[$0 + 1] }))
        // pending, in_progress, created, failed, expired, cancelled, total
        #expect(totals == [0, 0, 0, 0, rows + upstream, 0, rows + upstream], "\(totals)")

        // Every fourth applicant is In-Branch, emailed by Yoti on request; the posted batch's letters are saved for
        // the firm's mailer: one letter each, by one route.
        let posted = max(1, rows / 8)
        #expect(
            output.contains(
                "In-Branch letters: \(rows / 4) emailed by Yoti on request (\(rows / 4) emailed exactly once at the "
                    + "sandbox, \(rows / 4) emails in all) + \(posted) saved for the firm's mailer (\(posted) on disk"),
            "the letters line")
        #expect(output.contains("= \(rows / 4 + posted) of \(rows / 4 + posted) In-Branch rows"))
        #expect(output.contains("In-Branch follow-through: completed"))
        #expect(output.contains("letters: Yoti asked to email"))

        // Results: the receiver stored the sandbox's notifications and sync recorded every finished session.
        #expect(output.contains("$ idv-batch sync --batch"))
        let results = Self.counts(try Self.line("completed at Yoti recorded =", occurrence: 0, in: output))
        #expect(results.count >= 2 && results[0] > 0 && results[0] == results[1], "\(results)")
        // The receiver's token (two UUIDs run together, made by the demo) is in every pushed configuration's
        // notifications block and in each notification's Authorization header: it is never printed, and an
        // auth_token the output shows (Yoti Sign's answer) is redacted.
        let uuid = "[0-9A-F]{8}-[0-9A-F]{4}-[0-9A-F]{4}-[0-9A-F]{4}-[0-9A-F]{12}"
        #expect(output.firstMatch(of: try Regex(uuid + uuid)) == nil, "the receiver's token is in the output")
        let shown = output.components(separatedBy: "\"auth_token\":").dropFirst()
        #expect(shown.allSatisfy { $0.hasPrefix("\"<redacted>\"") }, "an auth_token is printed unredacted")

        // The demo's own reconciliation agrees, and it cleaned up after itself.
        #expect(output.contains("Everything adds up"))
        #expect(!output.contains("MISMATCH"))
        let port = try #require(try Self.numbers(after: "throwaway PostgreSQL (127.0.0.1:", in: output).first)
        await #expect(throws: PostgresError.self, "the demo's PostgreSQL must be gone") {
            try await PostgresConnection.connect(
                try PostgresConfiguration("host=127.0.0.1 port=\(port) user=postgres dbname=postgres connect_timeout=2")
            )
        }
    }

    @Test("without PostgreSQL server binaries the demo says what to install, exit 2")
    func missingBinariesSayWhatToInstall() async throws {
        let result = try await IDVBatchProcess.run(
            ["demo"], environment: ["IDV_POSTGRES_BINDIR": "/nonexistent/pg/bin"])
        #expect(result.status == 2, "\(result.output)")
        #expect(result.output.contains("apt-get install -y postgresql"), "\(result.output)")
        #expect(result.output.contains("IDV_POSTGRES_BINDIR=/nonexistent/pg/bin"), "\(result.output)")
    }

    @Test("SIGINT mid-run exits 130 and leaves no PostgreSQL behind")
    func interruptCleansUp() async throws {
        let process = try IDVBatchProcess.launch(
            ["demo", "--rows", "4000", "--latency-ms", "50", "--jitter-ms", "50"],
            environment: IDVBatchProcess.environment([:]), name: "demo")
        // Wait until the nightly run has started, then interrupt it.
        let deadline = ContinuousClock.now + .seconds(120)
        while !process.outputSoFar().contains("$ idv-batch run --job"), ContinuousClock.now < deadline {
            try await Task.sleep(for: .milliseconds(100))
        }
        #expect(process.outputSoFar().contains("$ idv-batch run --job"), "the demo never reached its nightly run")
        try await Task.sleep(for: .milliseconds(500))
        process.send(SIGINT)
        let termination = try await process.wait()
        #expect(termination.status == 130, "\(termination.output)")
        #expect(termination.output.contains("Cleaned up"), "\(termination.output)")
        let port = try #require(
            try Self.numbers(after: "throwaway PostgreSQL (127.0.0.1:", in: termination.output).first)
        await #expect(throws: PostgresError.self) {
            try await PostgresConnection.connect(
                try PostgresConfiguration("host=127.0.0.1 port=\(port) user=postgres dbname=postgres connect_timeout=2")
            )
        }
    }
}
