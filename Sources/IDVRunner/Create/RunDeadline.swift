import Foundation

/// Parses `--deadline`: an ISO 8601 instant, or a duration from now such as `6h`, `90m`, `1h30m`, `45s`.
package enum RunDeadline {
    /// The deadline `text` names, relative to `now` for durations; `nil` when it is neither form.
    package static func parse(_ text: String, now: Date = Date()) -> Date? {
        let trimmed = text.trimmingCharacters(in: .whitespaces)
        if let seconds = durationSeconds(trimmed) { return now.addingTimeInterval(seconds) }
        if let date = try? Date(trimmed, strategy: .iso8601) { return date }
        if let date = try? Date(trimmed, strategy: Date.ISO8601FormatStyle(includingFractionalSeconds: true)) {
            return date
        }
        return nil
    }

    /// Seconds in a duration made of `<number><unit>` parts (units d, h, m, s); `nil` if malformed.
    package static func durationSeconds(_ text: String) -> TimeInterval? {
        let units: [Character: TimeInterval] = ["d": 86400, "h": 3600, "m": 60, "s": 1]
        var total: TimeInterval = 0
        var number = ""
        var sawPart = false
        for character in text.lowercased() {
            if character.isNumber || character == "." {
                number.append(character)
            } else if let unit = units[character], let value = Double(number) {
                total += value * unit
                number = ""
                sawPart = true
            } else {
                return nil
            }
        }
        guard sawPart, number.isEmpty else { return nil }
        return total
    }
}
