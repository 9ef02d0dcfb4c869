/// A generator that always answers the same word: pins jitter to the bottom (0) or top (max) of its range.
package struct FixedGenerator: RandomNumberGenerator, Sendable {
    /// The word every draw returns.
    package var value: UInt64

    /// A generator answering `value` forever.
    package init(value: UInt64) { self.value = value }

    /// `value`.
    package mutating func next() -> UInt64 { value }
}
