import Foundation
import LocalPostgres
import PostgresClient
import TestSupport
import Testing

/// `idv-batch bench` as a real process: the table is complete and every figure is a sane number.
/// No timing assertions: the figures' values depend on the machine; only their presence and form are checked.
@Suite("idv-batch bench (process)", .serialized)
struct BenchCommandTests {
    /// Every figure the issue asks for, by table id.
    /// (Figure 10 needs `wrk`; without it bench skips the figure with a note, so it is expected only with wrk.)
    static let allFigures = Set(
        [
            "1a", "1b", "2a", "2b", "2c", "2d", "3a", "3b", "4a", "4b", "4c", "5a", "5b", "5c", "6a", "6b", "7a", "7b",
            "8a", "8b", "9", "11a", "11b", "11c",
        ]
            + (wrkInstalled ? ["10a", "10b"] : []))

    /// Whether `wrk` is on PATH (figure 10).
    static var wrkInstalled: Bool {
        (ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin").split(separator: ":").contains {
            FileManager.default.isExecutableFile(atPath: "\($0)/wrk")
        }
    }

    @Test(
        "bench --quick prints one table with every figure: measured values parse, ratios are positive, verdicts known")
    func quickTable() async throws {
        let result = try await Self.bench(["--quick"])
        #expect(result.status == 0, "\(result.output)")
        let lines = result.output.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        let title = try #require(lines.first { $0.hasPrefix("idv-batch bench (quick)") }, "\(result.output)")
        #expect(title.contains(" cores, ") && title.contains(" GiB"))

        let header = try #require(lines.firstIndex { $0.hasPrefix("fig ") })
        #expect(
            Self.cells(lines[header]) == ["fig", "figure", "measured", "ideal / baseline", "ratio", "goal", "result"])
        let rows = lines[(header + 2)...].prefix { !$0.isEmpty }.map(Self.cells)
        #expect(Set(rows.map { $0[0] }) == Self.allFigures)
        #expect(rows.count == Self.allFigures.count)
        for row in rows {
            try #require(row.count == 7, "\(row)")
            let measured = try #require(Self.number(row[2]), "measured of \(row[0]): \(row[2])")
            #expect(measured.isFinite && measured >= 0, "\(row)")
            if row[3] != "—" { #expect(Self.number(row[3]).map { $0 > 0 } == true, "baseline of \(row)") }
            if row[4] != "—" { #expect(Self.number(row[4]).map { $0 > 0 && $0.isFinite } == true, "ratio of \(row)") }
            #expect(["pass", "miss", "info"].contains(row[6]), "\(row)")
            // A figure with a goal is judged; one without is information.
            #expect((row[5] == "—") == (row[6] == "info"), "\(row)")
        }
        // Figures that are ratios carry one.
        for id in ["1a", "1b", "2a", "3a", "4a", "4b", "4c", "5a", "5c", "6a", "6b", "7a", "7b", "8a", "8b"] {
            #expect(rows.first { $0[0] == id }?[4] != "—", "figure \(id) has no ratio")
        }
        // Sessions were really created at latency 0, and the claim's plan is shown.
        #expect(Self.number(rows.first { $0[0] == "2b" }?[2] ?? "").map { $0 > 0 } == true)
        #expect(result.output.contains("Claim plan with the history in place"))
        #expect(result.output.contains("verification_requests"))
    }

    @Test("bench --quick --json --only 4,7: only those figures, as JSON with numbers")
    func jsonOnlySome() async throws {
        let result = try await Self.bench(["--quick", "--json", "--only", "4,7"])
        #expect(result.status == 0, "\(result.output)")
        // Progress lines go to standard error, which the helper interleaves: the report starts at "{".
        let start = try #require(result.output.range(of: "\n{")?.lowerBound ?? result.output.range(of: "{")?.lowerBound)
        let object = try #require(
            try JSONSerialization.jsonObject(with: Data(result.output[start...].utf8)) as? [String: Any])
        #expect(object["mode"] as? String == "quick")
        let machine = try #require(object["machine"] as? [String: Any])
        #expect((machine["cores"] as? NSNumber).map { $0.intValue > 0 } == true)
        let figures = try #require(object["figures"] as? [[String: Any]])
        #expect(Set(figures.compactMap { $0["id"] as? String }) == ["4a", "4b", "4c", "7a", "7b"])
        for figure in figures {
            #expect((figure["measured"] as? NSNumber).map { $0.doubleValue > 0 } == true, "\(figure)")
            #expect((figure["ratio"] as? NSNumber).map { $0.doubleValue > 0 } == true, "\(figure)")
        }
        #expect(object["claim_plan"] == nil)
    }

    @Test("--only outside 1–11 is a usage error (exit 2) that names the accepted values", arguments: ["12", "1,x", ""])
    func badOnly(value: String) async throws {
        let result = try await Self.bench(["--only", value])
        #expect(result.status == 2, "\(result.output)")
        #expect(result.output.contains("--only"))
    }

    /// Runs the built `idv-batch bench` with `arguments`.
    static func bench(_ arguments: [String]) async throws -> ChildProcess.Termination {
        let executable = try SharedPaths.builtExecutable(named: "idv-batch")
        return try await ChildProcess.run(
            [executable.path, "bench", "--sql-dir", SharedPaths.migrations.path] + arguments)
    }

    /// The cells of a table line.
    static func cells(_ line: String) -> [String] {
        line.components(separatedBy: " | ").map { $0.trimmingCharacters(in: .whitespaces) }
    }

    /// The number a cell starts with (`12,345.6 /s` → 12345.6).
    static func number(_ cell: String) -> Double? {
        Double(cell.split(separator: " ").first.map { $0.replacingOccurrences(of: ",", with: "") } ?? "")
    }
}
