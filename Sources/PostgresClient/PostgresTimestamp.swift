import Foundation

/// Converts `Date` to and from PostgreSQL's ISO `timestamptz` text (`2026-11-21 07:08:09.123456+00`).
///
/// Written by hand rather than with a `DateFormatter` because it must be exact to the microsecond,
/// accept every offset form the server prints (`+00`, `+05:30`, `-03:30:15`), handle BC dates and
/// `infinity`, and be cheap and thread-safe.
enum PostgresTimestamp {
    private static let microsecondsPerSecond: Int64 = 1_000_000

    /// The UTC text for `date`, rounded to the microsecond (PostgreSQL's resolution).
    static func format(_ date: Date) -> String {
        if date == .distantFuture { return "infinity" }
        if date == .distantPast { return "-infinity" }
        let micros = Int64((date.timeIntervalSince1970 * 1e6).rounded())
        let (seconds, fraction) = floorDivide(micros, microsecondsPerSecond)
        let (days, secondOfDay) = floorDivide(seconds, 86_400)
        let (year, month, day) = civil(fromDays: days)
        let era = year <= 0 ? " BC" : ""
        var text = pad(year <= 0 ? 1 - year : year, 4) + "-" + pad(month, 2) + "-" + pad(day, 2) + " "
        text += pad(secondOfDay / 3600, 2) + ":" + pad(secondOfDay % 3600 / 60, 2) + ":" + pad(secondOfDay % 60, 2)
        if fraction != 0 { text += "." + pad(fraction, 6) }
        return text + "+00" + era
    }

    /// The instant described by server text such as `2026-11-21 07:08:09.5+00`.
    ///
    /// `infinity` and `-infinity` map to `Date.distantFuture` and `Date.distantPast`.
    /// - Returns: `nil` if the text is not a `timestamptz` in ISO style.
    static func parse(_ text: String) -> Date? {
        if text == "infinity" { return .distantFuture }
        if text == "-infinity" { return .distantPast }
        var scanner = Substring(text).utf8[...]
        var isBC = false
        if scanner.count > 3, scanner.suffix(3).elementsEqual(" BC".utf8) {
            isBC = true
            scanner = scanner.dropLast(3)
        }
        guard let rawYear = number(&scanner, minDigits: 4, maxDigits: 7), take(&scanner, "-"),
            let month = number(&scanner, digits: 2), take(&scanner, "-"),
            let day = number(&scanner, digits: 2), take(&scanner, " ") || take(&scanner, "T"),
            let hour = number(&scanner, digits: 2), take(&scanner, ":"),
            let minute = number(&scanner, digits: 2), take(&scanner, ":"),
            let second = number(&scanner, digits: 2),
            (1...12).contains(month), (1...31).contains(day), hour < 24, minute < 60, second < 61
        else { return nil }
        var fraction: Int64 = 0
        if take(&scanner, ".") {
            var digits = 0
            while let digit = scanner.first, (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(digit) {
                scanner.removeFirst()
                if digits < 6 { fraction = fraction * 10 + Int64(digit - UInt8(ascii: "0")) }
                digits += 1
            }
            guard digits > 0 else { return nil }
            for _ in digits..<max(digits, 6) { fraction *= 10 }
        }
        var offsetSeconds: Int64 = 0
        if let sign = scanner.first, sign == UInt8(ascii: "+") || sign == UInt8(ascii: "-") {
            scanner.removeFirst()
            guard let hours = number(&scanner, digits: 2) else { return nil }
            var offset = hours * 3600
            if take(&scanner, ":") {
                guard let minutes = number(&scanner, digits: 2) else { return nil }
                offset += minutes * 60
                if take(&scanner, ":") {
                    guard let seconds = number(&scanner, digits: 2) else { return nil }
                    offset += seconds
                }
            }
            offsetSeconds = sign == UInt8(ascii: "+") ? offset : -offset
        } else if take(&scanner, "Z") {
            offsetSeconds = 0
        }
        guard scanner.isEmpty else { return nil }
        let year = isBC ? 1 - rawYear : rawYear
        let seconds =
            days(fromYear: year, month: month, day: day) * 86_400 + hour * 3600 + minute * 60 + second
            - offsetSeconds
        return Date(timeIntervalSince1970: Double(seconds * microsecondsPerSecond + fraction) / 1e6)
    }

    // Howard Hinnant's days_from_civil / civil_from_days: exact proleptic Gregorian arithmetic.
    private static func days(fromYear year: Int64, month: Int64, day: Int64) -> Int64 {
        let y = month <= 2 ? year - 1 : year
        let era = (y >= 0 ? y : y - 399) / 400
        let yearOfEra = y - era * 400
        let dayOfYear = (153 * (month + (month > 2 ? -3 : 9)) + 2) / 5 + day - 1
        let dayOfEra = yearOfEra * 365 + yearOfEra / 4 - yearOfEra / 100 + dayOfYear
        return era * 146_097 + dayOfEra - 719_468
    }

    private static func civil(fromDays days: Int64) -> (year: Int64, month: Int64, day: Int64) {
        let z = days + 719_468
        let era = (z >= 0 ? z : z - 146_096) / 146_097
        let dayOfEra = z - era * 146_097
        let yearOfEra = (dayOfEra - dayOfEra / 1460 + dayOfEra / 36524 - dayOfEra / 146_096) / 365
        let dayOfYear = dayOfEra - (365 * yearOfEra + yearOfEra / 4 - yearOfEra / 100)
        let monthIndex = (5 * dayOfYear + 2) / 153
        let day = dayOfYear - (153 * monthIndex + 2) / 5 + 1
        let month = monthIndex < 10 ? monthIndex + 3 : monthIndex - 9
        return (yearOfEra + era * 400 + (month <= 2 ? 1 : 0), month, day)
    }

    private static func floorDivide(_ value: Int64, _ divisor: Int64) -> (quotient: Int64, remainder: Int64) {
        let quotient = value >= 0 ? value / divisor : (value - divisor + 1) / divisor
        return (quotient, value - quotient * divisor)
    }

    private static func pad(_ value: Int64, _ width: Int) -> String {
        let digits = String(value)
        return digits.count >= width ? digits : String(repeating: "0", count: width - digits.count) + digits
    }

    private static func take(_ scanner: inout Substring.UTF8View.SubSequence, _ literal: Unicode.Scalar) -> Bool {
        guard scanner.first == UInt8(ascii: literal) else { return false }
        scanner.removeFirst()
        return true
    }

    private static func number(_ scanner: inout Substring.UTF8View.SubSequence, digits: Int) -> Int64? {
        number(&scanner, minDigits: digits, maxDigits: digits)
    }

    private static func number(
        _ scanner: inout Substring.UTF8View.SubSequence, minDigits: Int, maxDigits: Int
    ) -> Int64? {
        var value: Int64 = 0
        var count = 0
        while count < maxDigits, let digit = scanner.first, (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(digit) {
            scanner.removeFirst()
            value = value * 10 + Int64(digit - UInt8(ascii: "0"))
            count += 1
        }
        return count >= minDigits ? value : nil
    }
}
