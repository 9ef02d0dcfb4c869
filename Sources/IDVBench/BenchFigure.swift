import Foundation

/// One line of the benchmark table: a figure measured in this run, what it is compared with, and its goal.
struct BenchFigure: Codable, Sendable {
    /// What a figure is held to.
    struct Goal: Codable, Sendable, Hashable, CustomStringConvertible {
        /// Which number the goal applies to.
        enum Subject: String, Codable, Sendable { case ratio, measured }
        /// How the number must compare.
        enum Bound: String, Codable, Sendable { case atLeast = "at_least", atMost = "at_most", within }

        var subject: Subject
        var bound: Bound
        /// Lower bound (`atLeast`, `within`).
        var low: Double?
        /// Upper bound (`atMost`, `within`).
        var high: Double?
        /// Unit shown after a goal on the measured value (e.g. "MiB").
        var unit: String

        /// The ratio must be at least `value`.
        static func ratioAtLeast(_ value: Double) -> Goal {
            Goal(subject: .ratio, bound: .atLeast, low: value, high: nil, unit: "")
        }
        /// The ratio must be at most `value`.
        static func ratioAtMost(_ value: Double) -> Goal {
            Goal(subject: .ratio, bound: .atMost, low: nil, high: value, unit: "")
        }
        /// The ratio must lie within `low...high`.
        static func ratioWithin(_ low: Double, _ high: Double) -> Goal {
            Goal(subject: .ratio, bound: .within, low: low, high: high, unit: "")
        }
        /// The measured value must be at most `value` `unit`.
        static func measuredAtMost(_ value: Double, _ unit: String) -> Goal {
            Goal(subject: .measured, bound: .atMost, low: nil, high: value, unit: unit)
        }

        /// Whether `figure` meets the goal.
        func isMet(by figure: BenchFigure) -> Bool {
            guard let value = subject == .ratio ? figure.ratio : figure.measured, value.isFinite else { return false }
            return value >= (low ?? -.infinity) && value <= (high ?? .infinity)
        }

        var description: String {
            let prefix = subject == .ratio ? "ratio " : ""
            let suffix = unit.isEmpty ? "" : " " + unit
            let low = BenchFigure.format(self.low ?? 0)
            let high = BenchFigure.format(self.high ?? 0)
            switch bound {
            case .atLeast: return "\(prefix)≥ \(low)\(suffix)"
            case .atMost: return "\(prefix)≤ \(high)\(suffix)"
            case .within: return "\(prefix)\(low)–\(high)\(suffix)"
            }
        }
    }

    /// Met, missed, or a figure reported for information only.
    enum Verdict: String, Codable, Sendable { case pass, miss, info }

    /// Figure number and letter, e.g. `1a`.
    var id: String
    /// What is measured, e.g. `latency-bound efficiency, c=64`.
    var name: String
    /// The measured value, in `unit`.
    var measured: Double
    var unit: String
    /// What it is divided by (the ideal or the baseline measured in the same run), in `baselineUnit`.
    var baseline: Double?
    var baselineUnit: String
    /// `measured ÷ baseline` (or another stated quotient); `nil` for a figure that is not a ratio.
    var ratio: Double?
    var goal: Goal?
    var verdict: Verdict
    /// What bounds the figure, how it was measured, or what was reduced.
    var note: String?

    init(
        id: String, name: String, measured: Double, unit: String, baseline: Double? = nil, baselineUnit: String = "",
        ratio: Double? = nil, goal: Goal? = nil, note: String? = nil
    ) {
        self.id = id
        self.name = name
        self.measured = measured
        self.unit = unit
        self.baseline = baseline
        self.baselineUnit = baselineUnit
        self.ratio = ratio
        self.goal = goal
        self.note = note
        self.verdict = .info
        if let goal { self.verdict = goal.isMet(by: self) ? .pass : .miss }
    }

    /// A number with a precision that suits its size: `0.973`, `12.4`, `20,000`.
    static func format(_ value: Double) -> String {
        guard value.isFinite else { return value.isNaN ? "n/a" : "∞" }
        let magnitude = abs(value)
        if magnitude >= 1000 { return grouped(value) }
        if magnitude >= 100 { return String(format: "%.1f", value) }
        if magnitude >= 10 { return String(format: "%.2f", value) }
        if magnitude == 0 { return "0" }
        if magnitude < 0.01 { return String(format: "%.5f", value) }
        return String(format: "%.3f", value)
    }

    /// `1234567` as `1,234,567` whatever the locale, so the table reads (and parses) the same everywhere.
    static func grouped(_ value: Double) -> String {
        let digits = String(format: "%.0f", abs(value))
        var result = ""
        for (index, digit) in digits.enumerated() {
            if index > 0 && (digits.count - index) % 3 == 0 { result.append(",") }
            result.append(digit)
        }
        return value < 0 ? "-" + result : result
    }
}
