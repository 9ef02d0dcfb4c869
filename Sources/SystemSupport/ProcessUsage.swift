#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// This process's own resource use (`getrusage(RUSAGE_SELF)`): peak memory for the `enqueue` summary,
/// CPU time for `bench` (the in-process sandbox's share).
package enum ProcessUsage {
    /// Peak resident set size in MiB so far; 0 when unavailable.
    package static func peakMebibytes() -> Double {
        current().map { mebibytes(maxRSS: $0.ru_maxrss) } ?? 0
    }

    /// User + system CPU seconds used so far by every thread; 0 when unavailable.
    package static func cpuSeconds() -> Double {
        current().map { $0.ru_utime.seconds + $0.ru_stime.seconds } ?? 0
    }

    /// `ru_maxrss` in MiB (kilobytes on Linux, bytes on macOS).
    package static func mebibytes(maxRSS: Int) -> Double {
        #if os(Linux)
            Double(maxRSS) / 1024
        #else
            Double(maxRSS) / 1_048_576
        #endif
    }

    private static func current() -> rusage? {
        var usage = rusage()
        #if os(Linux)
            // Glibc imports RUSAGE_SELF as an enum case; getrusage takes its raw value.
            let status = getrusage(__rusage_who_t(RUSAGE_SELF.rawValue), &usage)
        #else
            let status = getrusage(RUSAGE_SELF, &usage)
        #endif
        return status == 0 ? usage : nil
    }
}
