/// A deterministic random source (SplitMix64) so jitter tests, fuzz tests and campaigns are reproducible.
public struct SeededGenerator: RandomNumberGenerator, Sendable {
    private var state: UInt64

    /// A generator whose draws are fixed by `seed`.
    public init(seed: UInt64) { state = seed }

    /// The next 64 random bits.
    public mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}

/// A generator that always answers the same word: pins jitter to the bottom (0) or top (max) of its range.
public struct FixedGenerator: RandomNumberGenerator, Sendable {
    /// The word every draw returns.
    public var value: UInt64

    /// A generator answering `value` forever.
    public init(value: UInt64) { self.value = value }

    /// `value`.
    public mutating func next() -> UInt64 { value }
}
