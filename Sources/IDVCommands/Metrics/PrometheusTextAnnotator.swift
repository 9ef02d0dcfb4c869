import Foundation

/// Finishes a Prometheus text exposition for the metrics file: a `# HELP` line before every `# TYPE`
/// line that has none, an `instance` label on every sample when one is set, and extra gauges.
///
/// Works on the text because swift-prometheus's swift-metrics factory offers neither help nor constant
/// labels.
struct PrometheusTextAnnotator: Sendable {
    /// `--metrics-instance`: the value of the `instance` label on every sample; `nil` adds none.
    var instance: String?

    /// A gauge written after the registry's metrics.
    struct Gauge: Sendable {
        var name: String
        var value: Double
    }

    /// The annotated text of `exposition`, followed by `gauges`.
    func annotate(_ exposition: [UInt8], gauges: [Gauge] = []) -> [UInt8] {
        let text = String(decoding: exposition, as: UTF8.self)
        var output: [String] = []
        var previous: Substring = ""
        for line in text.split(separator: "\n", omittingEmptySubsequences: true) {
            if line.hasPrefix("# TYPE ") {
                let parts = line.split(separator: " ")
                if parts.count >= 4, !previous.hasPrefix("# HELP \(parts[2]) ") {
                    output.append("# HELP \(parts[2]) \(Self.escapeHelp(MetricsHelp.text(for: String(parts[2]))))")
                }
                output.append(String(line))
            } else if line.hasPrefix("# HELP ") {
                // An empty help line ("# HELP name") is replaced by one with text.
                let parts = line.split(separator: " ", maxSplits: 3)
                if parts.count < 4 || parts[3].allSatisfy(\.isWhitespace) {
                    let name = parts.count > 2 ? String(parts[2]) : ""
                    let filled = "# HELP \(name) \(Self.escapeHelp(MetricsHelp.text(for: name)))"
                    output.append(filled)
                    previous = Substring(filled)
                    continue
                }
                output.append(String(line))
            } else if line.hasPrefix("#") {
                output.append(String(line))
            } else {
                output.append(labelled(line))
            }
            previous = line
        }
        for gauge in gauges {
            output.append("# HELP \(gauge.name) \(Self.escapeHelp(MetricsHelp.text(for: gauge.name)))")
            output.append("# TYPE \(gauge.name) gauge")
            output.append(labelled(Substring("\(gauge.name) \(Self.format(gauge.value))")))
        }
        return Array((output.joined(separator: "\n") + "\n").utf8)
    }

    /// `line` with `instance="…"` first among its labels.
    private func labelled(_ line: Substring) -> String {
        guard let instance else { return String(line) }
        let label = "instance=\"\(Self.escapeLabel(instance))\""
        let nameEnd = line.firstIndex { $0 == "{" || $0 == " " } ?? line.endIndex
        let name = line[..<nameEnd]
        let rest = line[nameEnd...]
        if rest.hasPrefix("{}") { return "\(name){\(label)}\(rest.dropFirst(2))" }
        if rest.hasPrefix("{") { return "\(name){\(label),\(rest.dropFirst())" }
        return "\(name){\(label)}\(rest)"
    }

    /// The previous value of a gauge `name` in an exposition (this instance's sample), e.g. the last
    /// success time in the file a previous run left.
    func value(of name: String, in exposition: String) -> Double? {
        for line in exposition.split(separator: "\n") where line.hasPrefix(name) {
            let afterName = line.dropFirst(name.count)
            guard afterName.first == " " || afterName.first == "{" else { continue }
            if let instance, !afterName.contains("instance=\"\(Self.escapeLabel(instance))\"") { continue }
            if let last = line.split(separator: " ").last, let value = Double(last) { return value }
        }
        return nil
    }

    static func escapeLabel(_ value: String) -> String {
        value.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"")
            .replacingOccurrences(of: "\n", with: "\\n")
    }

    static func escapeHelp(_ text: String) -> String {
        text.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\n", with: "\\n")
    }

    static func format(_ value: Double) -> String {
        value.rounded() == value && abs(value) < 1e15 ? String(Int64(value)) : String(value)
    }
}
