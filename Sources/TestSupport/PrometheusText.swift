import Foundation

/// A parsed Prometheus text exposition, strict enough to catch a malformed file: every line is a
/// comment (`# TYPE`/`# HELP`) or a sample `name{label="value",…} number`.
package struct PrometheusText {
    /// One sample line: `name{labels} value`.
    package struct Sample: Hashable {
        package var name: String
        package var labels: [String: String]
        package var value: Double
    }

    /// A line that is neither a comment nor a sample.
    package struct ParseError: Error, CustomStringConvertible {
        package var line: String
        package var description: String { "not a Prometheus text line: \(line)" }
    }

    /// Metric family name → type (`counter`, `gauge`, `histogram`).
    package var types: [String: String] = [:]
    /// Metric family name → `# HELP` text (unescaped only as far as tests need: as written).
    package var help: [String: String] = [:]
    /// Every sample, in file order.
    package var samples: [Sample] = []

    /// Parses `text`.
    /// - Throws: ``ParseError`` on the first malformed line.
    package init(_ text: String) throws {
        for line in text.split(separator: "\n", omittingEmptySubsequences: true).map(String.init) {
            if line.hasPrefix("# TYPE ") {
                let parts = line.split(separator: " ")
                guard parts.count == 4 else { throw ParseError(line: line) }
                types[String(parts[2])] = String(parts[3])
                continue
            }
            if line.hasPrefix("# HELP ") {
                let parts = line.split(separator: " ", maxSplits: 3)
                guard parts.count >= 3 else { throw ParseError(line: line) }
                help[String(parts[2])] = parts.count == 4 ? String(parts[3]) : ""
                continue
            }
            if line.hasPrefix("#") { continue }
            samples.append(try Self.sample(line))
        }
    }

    private static func sample(_ line: String) throws -> Sample {
        let name = String(line.prefix { $0.isLetter || $0.isNumber || $0 == "_" || $0 == ":" })
        guard let first = name.first, !first.isNumber else { throw ParseError(line: line) }
        var rest = Substring(line.dropFirst(name.count))
        var labels: [String: String] = [:]
        if rest.first == "{" {
            rest = rest.dropFirst()
            while rest.first != "}" {
                let key = String(rest.prefix { $0 != "=" })
                guard !key.isEmpty, key.allSatisfy({ $0.isLetter || $0.isNumber || $0 == "_" }) else {
                    throw ParseError(line: line)
                }
                rest = rest.dropFirst(key.count)
                guard rest.hasPrefix("=\"") else { throw ParseError(line: line) }
                rest = rest.dropFirst(2)
                var value = ""
                while let character = rest.first, character != "\"" {
                    if character == "\\" {
                        rest = rest.dropFirst()
                        guard let escaped = rest.first else { throw ParseError(line: line) }
                        value.append(escaped == "n" ? "\n" : escaped)
                    } else {
                        value.append(character)
                    }
                    rest = rest.dropFirst()
                }
                guard rest.first == "\"" else { throw ParseError(line: line) }
                rest = rest.dropFirst()
                labels[key] = value
                if rest.first == "," { rest = rest.dropFirst() }
            }
            rest = rest.dropFirst()
        }
        guard rest.first == " ",
            let value = Double(
                rest.dropFirst().trimmingCharacters(in: .whitespaces).replacingOccurrences(of: "+Inf", with: "inf"))
        else { throw ParseError(line: line) }
        return Sample(name: name, labels: labels, value: value)
    }

    /// Families with a `# TYPE` line but no non-empty `# HELP` text.
    package var familiesWithoutHelp: [String] {
        types.keys.filter { (help[$0] ?? "").trimmingCharacters(in: .whitespaces).isEmpty }.sorted()
    }

    /// Samples of `name` whose labels include `labels`.
    package func samples(_ name: String, _ labels: [String: String] = [:]) -> [Sample] {
        samples.filter { sample in sample.name == name && labels.allSatisfy { sample.labels[$0.key] == $0.value } }
    }

    /// The sum of the matching samples' values (0 when none).
    package func sum(_ name: String, _ labels: [String: String] = [:]) -> Double {
        samples(name, labels).reduce(0) { $0 + $1.value }
    }

    /// The one sample of `name` with exactly `labels`, if present.
    package func value(_ name: String, _ labels: [String: String] = [:]) -> Double? {
        samples.first { $0.name == name && $0.labels == labels }?.value
    }

    /// Checks every histogram: per label set, buckets ascending in `le`, counts non-decreasing,
    /// ending at `+Inf` equal to `_count`. Returns the problems found.
    package func histogramProblems() -> [String] {
        var problems: [String] = []
        for (family, type) in types where type == "histogram" {
            let buckets = samples("\(family)_bucket")
            let series = Dictionary(grouping: buckets) { $0.labels.filter { $0.key != "le" } }
            if series.isEmpty { problems.append("\(family): no buckets") }
            for (labels, series) in series {
                let ordered = series.map {
                    (
                        le: Double($0.labels["le"]!.replacingOccurrences(of: "+Inf", with: "inf")) ?? .nan,
                        count: $0.value
                    )
                }
                .sorted { $0.le < $1.le }
                if ordered.contains(where: { $0.le.isNaN }) { problems.append("\(family)\(labels): unreadable le") }
                if zip(ordered, ordered.dropFirst()).contains(where: { $0.count > $1.count }) {
                    problems.append("\(family)\(labels): bucket counts decrease")
                }
                if ordered.last?.le != .infinity { problems.append("\(family)\(labels): no +Inf bucket") }
                if ordered.last?.count != value("\(family)_count", labels) {
                    problems.append("\(family)\(labels): +Inf bucket differs from _count")
                }
                if value("\(family)_sum", labels) == nil { problems.append("\(family)\(labels): no _sum") }
            }
        }
        return problems
    }
}
