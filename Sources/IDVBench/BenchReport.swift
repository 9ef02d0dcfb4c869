import Foundation

/// Everything one `idv-batch bench` measured: the figures, the machine, and what the reader needs to
/// interpret them (sizes that were reduced, the claim plan).
struct BenchReport: Codable, Sendable {
    /// `default` or `quick`.
    var mode: String
    /// When the benchmark started (UTC, ISO 8601).
    var startedAt: String
    var machine: BenchMachine
    var figures: [BenchFigure]
    /// Sizes used, and any reduction from the sizes with the reason.
    var sizes: [String]
    /// `EXPLAIN` of the claim statement with the history in place (figure 6), when figure 6 ran.
    var claimPlan: String?
    /// Seconds the whole benchmark took.
    var durationSeconds: Double

    /// The table and the notes, for a terminal or a README.
    func renderTable() -> String {
        let header = ["fig", "figure", "measured", "ideal / baseline", "ratio", "goal", "result"]
        let rows = figures.map { figure in
            [
                figure.id,
                figure.name,
                Self.quantity(figure.measured, figure.unit),
                figure.baseline.map { Self.quantity($0, figure.baselineUnit) } ?? "—",
                figure.ratio.map(BenchFigure.format) ?? "—",
                figure.goal?.description ?? "—",
                figure.verdict.rawValue,
            ]
        }
        let widths = header.indices.map { column in
            ([header] + rows).map { $0[column].count }.max() ?? 0
        }
        func line(_ cells: [String]) -> String {
            zip(cells, widths).map { $0.padding(toLength: $1, withPad: " ", startingAt: 0) }
                .joined(separator: " | ").trimmingCharacters(in: .whitespaces)
        }
        var lines: [String] = []
        lines.append(
            "idv-batch bench (\(mode)) — \(startedAt) — \(machine.cores) cores, "
                + String(format: "%.1f GiB", machine.memoryGiB) + (machine.cpuModel.map { ", \($0)" } ?? ""))
        lines.append("")
        lines.append(line(header))
        lines.append(widths.map { String(repeating: "-", count: $0) }.joined(separator: "-|-"))
        lines.append(contentsOf: rows.map(line))
        lines.append("")
        let notes = figures.compactMap { figure in figure.note.map { "  [\(figure.id)] \($0)" } }
        if !notes.isEmpty {
            lines.append("Notes:")
            lines.append(contentsOf: notes)
        }
        if !sizes.isEmpty {
            lines.append("Sizes:")
            lines.append(contentsOf: sizes.map { "  " + $0 })
        }
        if let claimPlan {
            lines.append("Claim plan with the history in place (figure 6, EXPLAIN):")
            lines.append(contentsOf: claimPlan.split(separator: "\n").map { "  " + $0 })
        }
        lines.append(String(format: "Benchmark took %.0f s.", durationSeconds))
        return lines.joined(separator: "\n")
    }

    /// The report as pretty-printed JSON (keys sorted).
    func renderJSON() throws -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        encoder.keyEncodingStrategy = .convertToSnakeCase
        return String(decoding: try encoder.encode(self), as: UTF8.self)
    }

    private static func quantity(_ value: Double, _ unit: String) -> String {
        unit.isEmpty ? BenchFigure.format(value) : "\(BenchFigure.format(value)) \(unit)"
    }
}
