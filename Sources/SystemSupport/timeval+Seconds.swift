#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

extension timeval {
    /// The interval in seconds (for `rusage` CPU times).
    package var seconds: Double { Double(tv_sec) + Double(tv_usec) / 1e6 }
}
