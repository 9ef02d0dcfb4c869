import AsyncHTTPClient
import Foundation
import NIOCore
import NIOHTTP1

/// Delivers the sandbox's notifications: `POST {"session_id", "topic"}` to the session spec's
/// `notifications.endpoint` with its `Authorization` (`Basic base64(auth_token)` or `Bearer auth_token`),
/// retried with doubling delays until a 2xx or ``NotificationDelivery/maxAttempts``, with the behaviour's
/// injected faults. Runs beside the accept loop until the sandbox shuts down.
enum SandboxNotifier {
    /// Polls for due notifications (sandbox clock, so `advanceClock` brings them forward) and sends them.
    static func run(core: SandboxCore) async {
        await withDiscardingTaskGroup { group in
            while !Task.isCancelled {
                let (due, delivery) = core.state.withLock { ($0.takeDueNotifications(), $0.behaviour.notifications) }
                for notification in due {
                    group.addTask { await deliver(notification, delivery: delivery, core: core) }
                }
                try? await Task.sleep(for: .milliseconds(10))
            }
            group.cancelAll()
        }
    }

    /// One attempt; a failure is put back with its retry delay, or given up after the last attempt.
    static func deliver(_ notification: PendingNotification, delivery: NotificationDelivery, core: SandboxCore) async {
        var notification = notification
        notification.attempts += 1
        let fault = core.state.withLock { state in
            state.counters.notificationAttempts += 1
            return delivery.pick(state.rng.unit())
        }
        var delivered = false
        if fault != .refused {
            if fault == .slow { try? await Task.sleep(for: delivery.slowDelay) }
            delivered = await post(notification, timeout: delivery.timeout) && fault != .serverError
        }
        core.state.withLock { state in
            state.notificationsInFlight -= 1
            if let fault { state.counters.notificationFaults[fault.rawValue, default: 0] += 1 }
            if delivered {
                state.counters.notificationsDelivered += 1
            } else if fault == nil || fault == .slow {
                state.counters.notificationFaults["error", default: 0] += 1
            }
            guard !delivered else { return }
            guard notification.attempts < delivery.maxAttempts, !Task.isCancelled else {
                state.counters.notificationsAbandoned += 1
                return
            }
            let backoff = delivery.retryDelay.inSeconds * Double(1 << min(notification.attempts - 1, 16))
            notification.due = state.now.addingTimeInterval(backoff)
            state.pendingNotifications.append(notification)
        }
    }

    /// Sends it; `true` for a 2xx answer.
    private static func post(_ notification: PendingNotification, timeout: Duration) async -> Bool {
        var request = HTTPClientRequest(url: notification.endpoint)
        request.method = .POST
        request.headers.add(name: "Content-Type", value: "application/json")
        if let authorization = notification.authorization {
            request.headers.add(name: "Authorization", value: authorization)
        }
        request.body = .bytes(ByteBuffer(bytes: notification.body))
        do {
            let response = try await HTTPClient.shared.execute(
                request, timeout: .milliseconds(Int64(timeout.inSeconds * 1000)))
            _ = try await response.body.collect(upTo: 64 * 1024)
            return (200..<300).contains(response.status.code)
        } catch {
            return false
        }
    }
}
