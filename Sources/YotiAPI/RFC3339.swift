import Foundation

/// Strict RFC 3339 parsing for `session_deadline` and applicant dates of birth.
///
/// Written out rather than delegated to a date formatter because Yoti's own examples carry six
/// fractional digits (`2024-09-03T23:59:59.000000+00:00`), which not every formatter accepts.
package enum RFC3339 {
    /// Parses `YYYY-MM-DDTHH:MM:SS[.frac](Z|±HH:MM)`; `t`/`z` and a space for `T` are accepted.
    /// - Returns: the instant, or `nil` when the text is not an RFC 3339 date-time.
    package static func date(from text: String) -> Date? {
        let chars = Array(text.utf8)
        guard chars.count >= 20, let day = calendarDate(String(decoding: chars[0..<10], as: UTF8.self)) else {
            return nil
        }
        guard [UInt8(ascii: "T"), UInt8(ascii: "t"), UInt8(ascii: " ")].contains(chars[10]) else { return nil }
        guard let hour = number(chars, 11, 2), chars[13] == UInt8(ascii: ":"),
            let minute = number(chars, 14, 2), chars[16] == UInt8(ascii: ":"),
            let second = number(chars, 17, 2), hour < 24, minute < 60, second <= 60
        else { return nil }
        var index = 19
        var fraction = 0.0
        if index < chars.count, chars[index] == UInt8(ascii: ".") {
            let start = index + 1
            index = start
            while index < chars.count, (48...57).contains(chars[index]) { index += 1 }
            guard index > start else { return nil }
            fraction = Double("0." + String(decoding: chars[start..<index], as: UTF8.self)) ?? 0
        }
        guard index < chars.count else { return nil }
        var offsetSeconds = 0
        switch chars[index] {
        case UInt8(ascii: "Z"), UInt8(ascii: "z"):
            guard index + 1 == chars.count else { return nil }
        case UInt8(ascii: "+"), UInt8(ascii: "-"):
            guard index + 6 == chars.count, let oh = number(chars, index + 1, 2), chars[index + 3] == UInt8(ascii: ":"),
                let om = number(chars, index + 4, 2), oh < 24, om < 60
            else { return nil }
            offsetSeconds = (oh * 3600 + om * 60) * (chars[index] == UInt8(ascii: "+") ? 1 : -1)
        default:
            return nil
        }
        let midnight = day.timeIntervalSince1970
        let seconds = Double(hour * 3600 + minute * 60 + min(second, 59)) + fraction - Double(offsetSeconds)
        return Date(timeIntervalSince1970: midnight + seconds)
    }

    /// Parses a calendar date `YYYY-MM-DD` (validating the day against the month and leap years).
    /// - Returns: midnight UTC of that day, or `nil`.
    package static func calendarDate(_ text: String) -> Date? {
        let chars = Array(text.utf8)
        guard chars.count == 10, chars[4] == UInt8(ascii: "-"), chars[7] == UInt8(ascii: "-"),
            let year = number(chars, 0, 4), let month = number(chars, 5, 2), let day = number(chars, 8, 2),
            (1...12).contains(month), day >= 1
        else { return nil }
        let leap = (year % 4 == 0 && year % 100 != 0) || year % 400 == 0
        let lengths = [31, leap ? 29 : 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31]
        guard day <= lengths[month - 1] else { return nil }
        return Date(timeIntervalSince1970: Double(daysFromCivil(year, month, day)) * 86_400)
    }

    private static func number(_ chars: [UInt8], _ start: Int, _ count: Int) -> Int? {
        guard start + count <= chars.count else { return nil }
        var value = 0
        for c in chars[start..<start + count] {
            guard (48...57).contains(c) else { return nil }
            value = value * 10 + Int(c - 48)
        }
        return value
    }

    /// Days since 1970-01-01 for a proleptic Gregorian date (Howard Hinnant's algorithm).
    private static func daysFromCivil(_ year: Int, _ month: Int, _ day: Int) -> Int {
        let y = month <= 2 ? year - 1 : year
        let era = (y >= 0 ? y : y - 399) / 400
        let yoe = y - era * 400
        let mp = (month + 9) % 12
        let doy = (153 * mp + 2) / 5 + day - 1
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy
        return era * 146_097 + doe - 719_468
    }
}
