#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// What signing one request costs, as ``RequestSigner/measureSignatureCost(iterations:)`` timed it.
///
/// Two clocks, because the machines this runs on are often shared: `cpu` is the signing thread's own
/// processor time (user and system), which other processes' load hardly changes and which is what
/// `openssl speed rsa2048` reports by default (user time); `wallClock` is elapsed time, what
/// `openssl speed -elapsed` reports and what a caller waits on an idle machine.
package struct SignatureCost: Sendable, Hashable, CustomStringConvertible {
    /// Signatures timed.
    package var iterations: Int
    /// Mean processor time of the signing thread per signature.
    package var cpu: Duration
    /// Mean elapsed time per signature.
    package var wallClock: Duration

    /// Creates a measurement.
    package init(iterations: Int, cpu: Duration, wallClock: Duration) {
        self.iterations = iterations
        self.cpu = cpu
        self.wallClock = wallClock
    }

    package var description: String {
        "\(Self.microseconds(cpu)) CPU, \(Self.microseconds(wallClock)) elapsed per signature (\(iterations) signatures)"
    }

    /// `123.4 µs`.
    static func microseconds(_ duration: Duration) -> String {
        let (seconds, attoseconds) = duration.components
        let tenths = seconds * 10_000_000 + attoseconds / 100_000_000_000
        return "\(tenths / 10).\(tenths % 10) µs"
    }

    /// The calling thread's processor time so far.
    static func threadCPUTime() -> Duration {
        var now = timespec()
        clock_gettime(CLOCK_THREAD_CPUTIME_ID, &now)
        return .seconds(Int64(now.tv_sec)) + .nanoseconds(Int64(now.tv_nsec))
    }
}
