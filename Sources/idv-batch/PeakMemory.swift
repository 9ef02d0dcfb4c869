#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The process's peak resident memory, for the `enqueue` summary (proof that a huge file streamed).
enum PeakMemory {
    /// Peak resident set size in MiB (`getrusage` `ru_maxrss`: KiB on Linux, bytes on macOS).
    static func mebibytes() -> Double {
        var usage = rusage()
        #if os(Linux)
            // Glibc imports RUSAGE_SELF as an enum case; getrusage takes its raw value.
            let status = getrusage(__rusage_who_t(RUSAGE_SELF.rawValue), &usage)
        #else
            let status = getrusage(RUSAGE_SELF, &usage)
        #endif
        guard status == 0 else { return 0 }
        #if os(Linux)
            return Double(usage.ru_maxrss) / 1024
        #else
            return Double(usage.ru_maxrss) / (1024 * 1024)
        #endif
    }
}
