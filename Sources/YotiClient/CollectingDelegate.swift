import AsyncHTTPClient
import NIOCore
import NIOHTTP1
import Synchronization

/// The response of one call, fully read.
struct CollectedResponse: Sendable {
    var status: Int
    var headers: HTTPHeaders
    var body: [UInt8]
}

/// Collects a response and records how far the request got, which decides whether a failure is
/// transient (request not fully sent) or an unknown outcome (sent: the server may have acted).
final class CollectingDelegate: HTTPClientResponseDelegate {
    typealias Response = CollectedResponse

    private struct State {
        var requestFullySent = false
        var head: HTTPResponseHead?
        var body: [UInt8] = []
    }

    /// Delegate callbacks arrive on an event loop while the caller reads the flag from a task, so the
    /// state sits behind a lock.
    private let state = Mutex(State())
    private let maxBodyBytes: Int

    init(maxBodyBytes: Int) {
        self.maxBodyBytes = maxBodyBytes
    }

    /// Whether the last byte of the request was written to the connection.
    var requestFullySent: Bool { state.withLock { $0.requestFullySent } }

    func didSendRequest(task: HTTPClient.Task<CollectedResponse>) {
        state.withLock { $0.requestFullySent = true }
    }

    func didReceiveHead(task: HTTPClient.Task<CollectedResponse>, _ head: HTTPResponseHead) -> EventLoopFuture<Void> {
        state.withLock { $0.head = head }
        return task.eventLoop.makeSucceededVoidFuture()
    }

    func didReceiveBodyPart(task: HTTPClient.Task<CollectedResponse>, _ buffer: ByteBuffer) -> EventLoopFuture<Void> {
        let tooLarge = state.withLock { state -> Bool in
            guard state.body.count + buffer.readableBytes <= maxBodyBytes else { return true }
            state.body.append(contentsOf: buffer.readableBytesView)
            return false
        }
        if tooLarge { return task.eventLoop.makeFailedFuture(ResponseTooLarge(limit: maxBodyBytes)) }
        return task.eventLoop.makeSucceededVoidFuture()
    }

    func didFinishRequest(task: HTTPClient.Task<CollectedResponse>) throws -> CollectedResponse {
        try state.withLock { state in
            guard let head = state.head else { throw HTTPClientError.remoteConnectionClosed }
            return CollectedResponse(status: Int(head.status.code), headers: head.headers, body: state.body)
        }
    }
}

/// A response body above the client's limit: the response is abandoned.
struct ResponseTooLarge: Error, CustomStringConvertible {
    var limit: Int
    var description: String { "the response body exceeded \(limit) bytes" }
}
