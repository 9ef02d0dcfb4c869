import Foundation
import IDVLogging

extension StepEngine {
    /// One claimed row's turn, run as a child task of the window from the moment the row is claimed:
    /// prepare the request and arm it (the create step signs it) while waiting for the window to start the
    /// row (`gate`), then wait for a rate-limit slot and make the call. Never throws: every ending is a
    /// ``StepOutcome`` so the row is always written back (released when it was never sent).
    func turn(for claim: Claim<Step.Work>, gate: PermitGate) async -> TurnResult {
        let request: Step.Request
        switch step.request(for: claim) {
        case .finished(let outcome):
            await gate.enter()
            return TurnResult(claim: claim, outcome: outcome, request: nil)
        case .ready(let prepared):
            request = await armed(prepared, gate: gate)
        }
        func result(_ outcome: StepOutcome<Step.Success>) -> TurnResult {
            TurnResult(claim: claim, outcome: outcome, request: request)
        }

        if let reason = reasonNotToSend() { return result(.notSent(reason: reason)) }
        let waitStarted = ContinuousClock.now
        var waited = false
        defer { if waited { configuration.metrics.rateLimitWait(ContinuousClock.now - waitStarted) } }
        do {
            while true {
                let sendAt = try await limiter.nextSendTime(batch: claim.batchID)
                if sendAt > configuration.clock.now() {
                    waited = true
                    guard try await stop.sleep(until: sendAt, clock: configuration.clock) else {
                        return result(.notSent(reason: reasonNotToSend() ?? "run stopping"))
                    }
                }
                if limiter.isOnTime(sendAt) { break }
            }
        } catch is CancellationError {
            return result(.notSent(reason: "cancelled before the call"))
        } catch {
            // Without the shared limiter we could exceed the batch's rate: give the row back instead.
            logger.warning(
                "Rate-limit reservation failed; row released",
                metadata: [LogKey.requestID: "\(claim.id)", LogKey.error: "\(error)"])
            return result(.notSent(reason: "rate-limit reservation failed: \(error)"))
        }
        if let reason = reasonNotToSend() { return result(.notSent(reason: reason)) }
        // The wait ends here for a send that goes out; the defer covers rows released while waiting.
        if waited { configuration.metrics.rateLimitWait(ContinuousClock.now - waitStarted) }
        waited = false

        counters.withLock { $0.callsStarted += 1 }
        let callStarted = ContinuousClock.now
        let outcome = await step.send(request)
        let callDuration = ContinuousClock.now - callStarted
        counters.withLock { $0.callSeconds += callDuration.secondsDouble }
        configuration.metrics.attempt(
            outcomeClass: outcome.ledgerOutcome(success: step.successOutcome), httpStatus: outcome.httpStatus,
            duration: callDuration)
        if case .failed(.rateLimited, let failure) = outcome {
            await limiter.penalize(batch: claim.batchID, retryAfter: failure.retryAfter)
        }
        return result(outcome)
    }

    /// `prepared`, armed before the turn waits at `gate`; returns once through the gate. Not armed when
    /// sends are paced by a rate: a row may then wait longer than a signature stays fresh. (Arming in a
    /// low-priority child task instead was measured: more CPU per call and a lower figure 1a.)
    private func armed(_ prepared: Step.Request, gate: PermitGate) async -> Step.Request {
        let request = limiter.isUnlimited ? step.arm(prepared) : prepared
        await gate.enter()
        return request
    }

    /// Why a call must not start now, or `nil` when it may.
    private func reasonNotToSend() -> String? {
        if Task.isCancelled { return "cancelled before the call" }
        if let reason = stop.reason { return "run stopping (\(reason)) before the call" }
        return nil
    }
}
