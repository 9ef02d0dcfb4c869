import CLibPQ
import Synchronization

/// The thread-safe part of a connection that lets another task cancel its running statement.
///
/// libpq's `PGcancel` object may be used from any thread while the connection is busy. A cancel
/// request that arrives before the statement has reached the server is remembered and sent right
/// after it is sent, so a cancellation is never lost in that gap; a request for a statement that
/// has already finished is dropped, so it can never hit the next one.
final class CancelHandle: Sendable {
    private enum Phase {
        case idle
        case preparing(token: UInt64, requested: Bool)
        case sent(token: UInt64)
    }

    private struct State {
        var cancel: OpaquePointer?
        var lastToken: UInt64 = 0
        var phase: Phase = .idle
    }

    private let state: Mutex<State>

    /// Takes ownership of the `PGcancel` from `PQgetCancel`.
    init(_ cancel: sending OpaquePointer?) {
        state = Mutex(State(cancel: cancel))
    }

    deinit { free() }

    /// Marks the start of a statement and returns the token that identifies it.
    func begin() -> UInt64 {
        state.withLock { state in
            state.lastToken += 1
            state.phase = .preparing(token: state.lastToken, requested: false)
            return state.lastToken
        }
    }

    /// Records that the statement is on the wire; sends a cancel now if one was asked for meanwhile.
    /// Called on the connection's own queue, so the blocking `PQcancel` is allowed here.
    func markSent(_ token: UInt64) {
        state.withLock { state in
            guard case .preparing(token, let requested) = state.phase else { return }
            state.phase = .sent(token: token)
            if requested { Self.sendCancel(state.cancel) }
        }
    }

    /// Marks the statement finished: later cancel requests for it are ignored.
    func end(_ token: UInt64) {
        state.withLock { state in
            switch state.phase {
            case .preparing(token, _), .sent(token): state.phase = .idle
            default: break
            }
        }
    }

    /// Asks the server to cancel statement `token` if it is still running. Blocks for a round trip on
    /// a separate connection, so call it from a thread that may block (not the cooperative pool).
    func requestCancel(_ token: UInt64) {
        state.withLock { state in
            switch state.phase {
            case .preparing(token, _): state.phase = .preparing(token: token, requested: true)
            case .sent(token): Self.sendCancel(state.cancel)
            default: break
            }
        }
    }

    /// Frees the `PGcancel`; later requests do nothing.
    func free() {
        state.withLock { state in
            if let cancel = state.cancel { PQfreeCancel(cancel) }
            state.cancel = nil
        }
    }

    private static func sendCancel(_ cancel: OpaquePointer?) {
        guard let cancel else { return }
        var buffer = [CChar](repeating: 0, count: 256)
        // A failed cancel request is harmless: the statement simply runs to completion.
        _ = PQcancel(cancel, &buffer, Int32(buffer.count))
    }
}
