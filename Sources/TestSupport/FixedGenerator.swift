/// A generator that always answers the same word: pins jitter to the bottom (0) or top (max) of its range.
public struct FixedGenerator: RandomNumberGenerator, Sendable {
    /// The word every draw returns.
    public var value: UInt64

    /// A generator answering `value` forever.
    public init(value: UInt64) { self.value = value }

    /// `value`.
    public mutating func next() -> UInt64 { value }
}
