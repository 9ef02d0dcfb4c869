/// A small seedable generator (SplitMix64) so fault sequences are reproducible from a seed.
///
/// Not for secrets: session ids and tokens come from the system generator.
package struct SplitMix64: RandomNumberGenerator, Sendable {
    private var state: UInt64

    /// A generator that replays the same sequence for the same `seed`.
    package init(seed: UInt64) { state = seed }

    /// Seeded from `seed` when given, otherwise from the system generator.
    package init(seed: UInt64?) {
        var system = SystemRandomNumberGenerator()
        self.init(seed: seed ?? system.next())
    }

    /// The next 64 random bits.
    package mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    /// A uniform value in `0..<1`.
    package mutating func unit() -> Double { Double(next() >> 11) * 0x1p-53 }
}
