import NIOCore
import NIOHTTP1
import NIOPosix
import Synchronization

/// A tiny loopback HTTP/1 server that records requests and answers as scripted, for testing the
/// client's transport edge cases (resets and stalls after the request was read, exact bytes sent).
/// The end-to-end behaviour against the real sandbox is tested separately.
final class ScriptedHTTPServer: Sendable {
    /// What to do once a whole request has been read.
    enum Behaviour: Sendable {
        case respond(status: Int, headers: [(String, String)], body: [UInt8])
        /// Close the connection without answering (the request was received: outcome unknown).
        case closeAfterRequest
        /// Never answer.
        case stall
    }

    /// One request as received.
    struct Received: Sendable {
        var method: String
        var uri: String
        var headers: [(String, String)]
        var body: [UInt8]

        func header(_ name: String) -> String? {
            headers.first { $0.0.lowercased() == name.lowercased() }?.1
        }
    }

    private let channel: any Channel
    private let log: RequestLog
    /// The port it listens on (127.0.0.1).
    let port: Int

    private init(channel: any Channel, log: RequestLog) {
        self.channel = channel
        self.port = channel.localAddress?.port ?? 0
        self.log = log
    }

    /// Requests received so far.
    var received: [Received] { log.entries.withLock { $0 } }

    /// Starts a server on an ephemeral loopback port.
    static func start(_ behaviour: Behaviour) async throws -> ScriptedHTTPServer {
        let log = RequestLog()
        let channel = try await ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .childChannelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.configureHTTPServerPipeline()
                    try channel.pipeline.syncOperations.addHandler(
                        ScriptedHandler(behaviour: behaviour, log: log))
                }
            }
            .bind(host: "127.0.0.1", port: 0)
            .get()
        return ScriptedHTTPServer(channel: channel, log: log)
    }

    /// Stops listening (open connections are left to the event loop).
    func stop() async throws {
        try await channel.close()
    }
}

/// Requests received, shared between the connection handlers and the test.
private final class RequestLog: Sendable {
    let entries = Mutex<[ScriptedHTTPServer.Received]>([])
}

private final class ScriptedHandler: ChannelInboundHandler {
    typealias InboundIn = HTTPServerRequestPart
    typealias OutboundOut = HTTPServerResponsePart

    private let behaviour: ScriptedHTTPServer.Behaviour
    private let log: RequestLog
    private var head: HTTPRequestHead?
    private var body: [UInt8] = []

    init(behaviour: ScriptedHTTPServer.Behaviour, log: RequestLog) {
        self.behaviour = behaviour
        self.log = log
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        switch unwrapInboundIn(data) {
        case .head(let head):
            self.head = head
            body = []
        case .body(let buffer):
            body.append(contentsOf: buffer.readableBytesView)
        case .end:
            guard let head else { return }
            let request = ScriptedHTTPServer.Received(
                method: head.method.rawValue, uri: head.uri, headers: head.headers.map { ($0.name, $0.value) },
                body: body)
            log.entries.withLock { $0.append(request) }
            switch behaviour {
            case .respond(let status, let headers, let responseBody):
                var responseHeaders = HTTPHeaders(headers)
                responseHeaders.replaceOrAdd(name: "content-length", value: "\(responseBody.count)")
                let responseHead = HTTPResponseHead(
                    version: .http1_1, status: HTTPResponseStatus(statusCode: status), headers: responseHeaders)
                context.write(wrapOutboundOut(.head(responseHead)), promise: nil)
                context.write(wrapOutboundOut(.body(.byteBuffer(ByteBuffer(bytes: responseBody)))), promise: nil)
                context.writeAndFlush(wrapOutboundOut(.end(nil)), promise: nil)
            case .closeAfterRequest:
                context.close(promise: nil)
            case .stall:
                break
            }
        }
    }
}
