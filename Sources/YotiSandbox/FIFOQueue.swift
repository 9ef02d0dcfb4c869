/// An array-backed first-in-first-out queue with amortised O(1) pops, for sliding windows and expiry lists.
struct FIFOQueue<Element: Sendable>: Sendable {
    private var storage: [Element] = []
    private var head = 0

    var isEmpty: Bool { head == storage.count }
    var count: Int { storage.count - head }
    var first: Element? { isEmpty ? nil : storage[head] }
    var last: Element? { isEmpty ? nil : storage[storage.count - 1] }

    mutating func append(_ element: Element) { storage.append(element) }

    @discardableResult
    mutating func popFirst() -> Element? {
        guard !isEmpty else { return nil }
        let element = storage[head]
        head += 1
        // Compact once the dead prefix dominates, so memory follows the live count.
        if head > 1024 && head * 2 > storage.count {
            storage.removeFirst(head)
            head = 0
        }
        return element
    }

    /// Pops leading elements while `predicate` holds.
    mutating func popWhile(_ predicate: (Element) -> Bool) {
        while let element = first, predicate(element) { popFirst() }
    }

    mutating func removeAll() {
        storage.removeAll()
        head = 0
    }
}
