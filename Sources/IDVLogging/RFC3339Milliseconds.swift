import Foundation

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// `2026-11-21T02:00:00.123Z`: RFC 3339 in UTC with milliseconds, the `ts` of JSON log lines.
enum RFC3339Milliseconds {
    /// Formats `date` (truncated to the millisecond; dates before 1970 are clamped to the epoch).
    static func string(from date: Date) -> String {
        let millisecondsSinceEpoch = max(0, Int64((date.timeIntervalSince1970 * 1000).rounded(.down)))
        var seconds = time_t(millisecondsSinceEpoch / 1000)
        let milliseconds = Int(millisecondsSinceEpoch % 1000)
        var parts = tm()
        gmtime_r(&seconds, &parts)
        func pad(_ value: Int32, _ width: Int) -> String {
            let digits = String(value)
            return String(repeating: "0", count: max(0, width - digits.count)) + digits
        }
        return "\(pad(parts.tm_year + 1900, 4))-\(pad(parts.tm_mon + 1, 2))-\(pad(parts.tm_mday, 2))"
            + "T\(pad(parts.tm_hour, 2)):\(pad(parts.tm_min, 2)):\(pad(parts.tm_sec, 2)).\(pad(Int32(milliseconds), 3))Z"
    }
}
