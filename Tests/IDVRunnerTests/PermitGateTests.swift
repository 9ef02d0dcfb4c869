import Testing

@testable import IDVRunner

/// The window's slots as permits: turns wait until the window starts them, first come first served.
@Suite("Permit gate")
struct PermitGateTests {
    @Test("turns wait until opened, in arrival order; permits opened before anyone waits are kept")
    func fifoAndBankedPermits() async throws {
        let gate = PermitGate()
        let order = OrderLog()
        try await withThrowingTaskGroup(of: Void.self) { group in
            for index in 0..<3 {
                group.addTask {
                    await gate.enter()
                    await order.append(index)
                }
                // Each turn reaches the gate before the next one starts.
                while gate.waiting < index + 1 { try await Task.sleep(for: .milliseconds(1)) }
            }
            #expect(await order.values.isEmpty)
            gate.open(2)
            while await order.values.count < 2 { try await Task.sleep(for: .milliseconds(1)) }
            #expect(await order.values == [0, 1])
            #expect(gate.waiting == 1)
            gate.open(3)  // one for the waiting turn, two kept
            try await group.waitForAll()
        }
        #expect(await order.values == [0, 1, 2])
        // The two kept permits let the next two turns straight through.
        await gate.enter()
        await gate.enter()
        #expect(gate.waiting == 0)
    }

    @Test("one permit is a lock: the first enters at once, the next waits until it is given back")
    func onePermitIsALock() async throws {
        let gate = PermitGate(permits: 1)
        await gate.enter()
        let second = Task { await gate.enter() }
        while gate.waiting == 0 { try await Task.sleep(for: .milliseconds(1)) }
        #expect(gate.waiting == 1)
        gate.open(1)
        await second.value
        #expect(gate.waiting == 0)
    }
}

private actor OrderLog {
    var values: [Int] = []
    func append(_ value: Int) { values.append(value) }
}
