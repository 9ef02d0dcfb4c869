/// Remembers recently used nonces so a replayed request is rejected, with bounded memory.
struct NonceRegistry: Sendable {
    private var seen: Set<String> = []
    private var order = FIFOQueue<(nonce: String, at: ContinuousClock.Instant)>()
    let memory: Duration
    let capacity: Int

    init(memory: Duration, capacity: Int) {
        self.memory = memory
        self.capacity = max(1, capacity)
    }

    /// Records `nonce` at `now`; false when it was already seen within the memory window.
    mutating func use(_ nonce: String, now: ContinuousClock.Instant) -> Bool {
        while let oldest = order.first, now - oldest.at > memory || order.count >= capacity {
            order.popFirst()
            seen.remove(oldest.nonce)
        }
        guard seen.insert(nonce).inserted else { return false }
        order.append((nonce, now))
        return true
    }

    mutating func removeAll() {
        seen.removeAll()
        order.removeAll()
    }
}
