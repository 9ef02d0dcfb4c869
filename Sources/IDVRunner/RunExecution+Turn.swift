import Foundation
import IDVLogging

extension RunExecution {
    /// One claimed row's turn, run as a child task of the window: compose and validate the spec,
    /// wait for a rate-limit slot, make the call. Never throws: every ending is a ``CallOutcome``
    /// so the row is always written back (released when it was never sent).
    func turn(for row: ClaimedRow) async -> RowResult {
        func result(_ outcome: CallOutcome, _ userTrackingID: String? = nil, _ resourcesTTL: Int? = nil) -> RowResult {
            RowResult(row: row, outcome: outcome, userTrackingID: userTrackingID, resourcesTTL: resourcesTTL)
        }

        let prepared = catalog.prepare(configName: row.configName, sessionSpec: row.sessionSpec, externalRef: row.externalRef)
        guard case .ready(let body, let userTrackingID, let resourcesTTL) = prepared else {
            if case .invalid(let problems) = prepared { return result(.invalidSpec(problems: problems)) }
            return result(.invalidSpec(problems: ["the spec could not be prepared"]))
        }

        if let reason = reasonNotToSend() { return result(.notSent(reason: reason), userTrackingID) }
        let waitStarted = ContinuousClock.now
        var waited = false
        defer { if waited { configuration.metrics.rateLimitWait(ContinuousClock.now - waitStarted) } }
        do {
            while true {
                let sendAt = try await limiter.nextSendTime(batch: row.batchID)
                if sendAt > configuration.clock.now() {
                    waited = true
                    guard try await stop.sleep(until: sendAt, clock: configuration.clock) else {
                        return result(.notSent(reason: reasonNotToSend() ?? "run stopping"), userTrackingID)
                    }
                }
                if await limiter.isOnTime(sendAt) { break }
                await limiter.noteMissedSlot()
            }
        } catch is CancellationError {
            return result(.notSent(reason: "cancelled before the call"), userTrackingID)
        } catch {
            // Without the shared limiter we could exceed the batch's rate: give the row back instead.
            logger.warning(
                "Rate-limit reservation failed; row released",
                metadata: [LogKey.requestID: "\(row.id)", LogKey.error: "\(error)"])
            return result(.notSent(reason: "rate-limit reservation failed: \(error)"), userTrackingID)
        }
        if let reason = reasonNotToSend() { return result(.notSent(reason: reason), userTrackingID) }
        // The wait ends here for a send that goes out; the defer covers rows released while waiting.
        if waited { configuration.metrics.rateLimitWait(ContinuousClock.now - waitStarted) }
        waited = false

        counters.withLock { $0.callsStarted += 1 }
        let callStarted = ContinuousClock.now
        let outcome = await sessions.attemptSession(body: body)
        configuration.metrics.attempt(
            outcomeClass: outcome.ledgerOutcome, httpStatus: outcome.httpStatus, duration: ContinuousClock.now - callStarted)
        if case .rateLimited(let failure) = outcome {
            await limiter.penalize(batch: row.batchID, retryAfter: failure.retryAfter)
        }
        return result(outcome, userTrackingID, resourcesTTL)
    }

    /// Why a call must not start now, or `nil` when it may.
    private func reasonNotToSend() -> String? {
        if Task.isCancelled { return "cancelled before the call" }
        if let reason = stop.reason { return "run stopping (\(reason)) before the call" }
        return nil
    }
}
