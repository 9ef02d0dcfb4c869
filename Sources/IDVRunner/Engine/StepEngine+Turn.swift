import Foundation
import IDVLogging

extension StepEngine {
    /// One claimed row's turn, run as a child task of the window from the moment the row is claimed:
    /// prepare the request (and arm it — the create step signs it — unless sends are paced by a rate,
    /// which could make the signature stale), wait for the window to start the row (`gate`), wait for a
    /// rate-limit slot, make the call. Never throws: every ending is a ``StepOutcome`` so the row is always
    /// written back (released when it was never sent).
    func turn(for claim: Claim<Step.Work>, gate: SlotGate) async -> TurnResult {
        var preparation = step.request(for: claim)
        if case .ready(let prepared) = preparation, limiter.isUnlimited {
            preparation = .ready(step.arm(prepared))
        }
        await gate.enter()
        let request: Step.Request
        switch preparation {
        case .finished(let outcome):
            return TurnResult(claim: claim, outcome: outcome, request: nil)
        case .ready(let prepared):
            request = prepared
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

    /// Why a call must not start now, or `nil` when it may.
    private func reasonNotToSend() -> String? {
        if Task.isCancelled { return "cancelled before the call" }
        if let reason = stop.reason { return "run stopping (\(reason)) before the call" }
        return nil
    }
}
