import HummingbirdCore
import Logging
import NIOCore

/// A server child channel that counts its connections and refuses those over ``ServerLimits/maxConnections``
/// before any HTTP parsing: a raw `ConnectionCapHandler` goes in front of `base`'s pipeline.
struct CappedChannel<Base: ServerChildChannel>: ServerChildChannel {
    typealias Value = Base.Value

    let base: Base
    let limits: ServerLimits
    let counter: ConnectionCounter

    func setup(channel: any Channel, logger: Logger) -> EventLoopFuture<Value> {
        channel.eventLoop.makeCompletedFuture {
            try channel.pipeline.syncOperations.addHandler(ConnectionCapHandler(limits: limits, counter: counter))
        }.flatMap {
            base.setup(channel: channel, logger: logger)
        }
    }

    func handle(value: Value, logger: Logger) async {
        await base.handle(value: value, logger: logger)
    }
}

/// Counts its connection while it is open; over the cap, answers its first bytes with a fixed 503
/// (`Connection: close`, `Retry-After`), reads and drops the rest, and closes within
/// ``ServerLimits/refusalGrace``. Nothing it refuses reaches the HTTP parser or the responder.
final class ConnectionCapHandler: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = ByteBuffer
    typealias InboundOut = ByteBuffer
    typealias OutboundOut = ByteBuffer

    private let limits: ServerLimits
    private let counter: ConnectionCounter
    private var counted = false
    private var refused = false
    private var answered = false
    private var closing: Scheduled<Void>?

    init(limits: ServerLimits, counter: ConnectionCounter) {
        self.limits = limits
        self.counter = counter
    }

    func handlerAdded(context: ChannelHandlerContext) {
        counted = true
        guard counter.opened() > limits.maxConnections else { return }
        refused = true
        counter.refusedOne()
        closing = context.eventLoop.assumeIsolated().scheduleTask(in: .nanoseconds(limits.refusalGrace.nanoseconds)) {
            context.close(promise: nil)
        }
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        closing?.cancel()
        closing = nil
        release()
    }

    func channelInactive(context: ChannelHandlerContext) {
        release()
        context.fireChannelInactive()
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        guard refused else {
            context.fireChannelRead(data)
            return
        }
        guard !answered else { return }
        answered = true
        let body = "{\"error\":\"too many connections\"}\n"
        let head =
            "HTTP/1.1 503 Service Unavailable\r\nContent-Type: application/json\r\n"
            + "Retry-After: \(limits.retryAfterSeconds)\r\nConnection: close\r\nContent-Length: \(body.utf8.count)\r\n\r\n"
        context.writeAndFlush(wrapOutboundOut(ByteBuffer(string: head + body)), promise: nil)
        // Half-close: the client reads the answer; what it still sends is read and dropped until the grace
        // timer closes the connection (closing with unread data would reset it before the answer is read).
        context.close(mode: .output, promise: nil)
    }

    /// Uncounts the connection once, however it ends.
    private func release() {
        guard counted else { return }
        counted = false
        counter.closed()
    }
}
