import Foundation
import Logging
import NIOCore
import NIOHTTP1

/// Serves one HTTP/1 connection: reads each request, applies latency and faults, writes the answer.
struct SandboxConnection: Sendable {
    typealias Channel = NIOAsyncChannel<HTTPServerRequestPart, HTTPServerResponsePart>
    typealias Inbound = NIOAsyncChannelInboundStream<HTTPServerRequestPart>.AsyncIterator
    typealias Outbound = NIOAsyncChannelOutboundWriter<HTTPServerResponsePart>

    let core: SandboxCore

    /// What to do with the connection after a request.
    private enum Next {
        case keepServing
        case close
        case reset
    }

    /// Serves requests until the client closes, a fault ends the connection, or the task is cancelled.
    func serve(_ channel: Channel) async {
        do {
            try await channel.executeThenClose { inbound, outbound in
                var iterator = inbound.makeAsyncIterator()
                while let part = try await iterator.next() {
                    // Anything but a head here is the tail of a request we already gave up on.
                    guard case .head(let head) = part else { continue }
                    switch try await serveRequest(head, from: &iterator, to: outbound) {
                    case .keepServing: continue
                    case .close: return
                    case .reset:
                        try await Self.arrangeReset(of: channel.channel)
                        return
                    }
                }
            }
        } catch {
            // A client hanging up mid-request or a shutdown ends the connection; nothing to report to anyone.
            core.options.logger.debug("sandbox connection ended", metadata: ["error": "\(type(of: error))"])
        }
    }

    private func serveRequest(_ head: HTTPRequestHead, from inbound: inout Inbound, to outbound: Outbound)
        async throws -> Next
    {
        let ticket = core.begin(method: head.method, uri: head.uri)
        defer { core.end(ticket) }
        // A reset before creating happens before the body is read, as a failing proxy would.
        if ticket.fault == .resetBeforeCreating { return .reset }

        var body: [UInt8] = []
        var tooLarge = false
        reading: while let part = try await inbound.next() {
            switch part {
            case .body(let buffer):
                if body.count + buffer.readableBytes > core.options.maxBodyBytes {
                    tooLarge = true
                } else {
                    body.append(contentsOf: buffer.readableBytesView)
                }
            case .end:
                break reading
            case .head:
                return .close
            }
        }
        if tooLarge {
            let response = SandboxResponse.error(
                .payloadTooLarge, code: "PAYLOAD_TOO_LARGE", message: "the body exceeds the sandbox's limit")
            core.record(status: response.status)
            try await write(response, for: head, keepAlive: false, to: outbound)
            return .close
        }
        let signature = core.checkSignature(ticket, headers: head.headers, body: body)
        if ticket.delay > .zero { try await Task.sleep(until: ticket.answerDue, clock: .continuous) }

        switch core.finish(ticket, headers: head.headers, body: body, signature: signature) {
        case .respond(let response):
            try await write(response, for: head, keepAlive: head.isKeepAlive, to: outbound)
            core.answered(ticket, response: response)
            core.options.logger.debug(
                "sandbox answered",
                metadata: [
                    "http.method": "\(head.method.rawValue)", "http.path": "\(SandboxCore.split(uri: head.uri).path)",
                    "http.status": "\(response.status.code)",
                ])
            return head.isKeepAlive ? .keepServing : .close
        case .reset:
            return .reset
        case .stall(let duration):
            try await Task.sleep(for: duration)
            return .close
        }
    }

    private func write(_ response: SandboxResponse, for head: HTTPRequestHead, keepAlive: Bool, to outbound: Outbound)
        async throws
    {
        var headers = response.headers
        headers.replaceOrAdd(name: "x-request-id", value: UUID().uuidString.lowercased())
        if response.status != .noContent {
            headers.replaceOrAdd(name: "Content-Length", value: String(response.body.count))
        }
        headers.replaceOrAdd(name: "Connection", value: keepAlive ? "keep-alive" : "close")
        var parts: [HTTPServerResponsePart] = [
            .head(HTTPResponseHead(version: head.version, status: response.status, headers: headers))
        ]
        if !response.body.isEmpty { parts.append(.body(.byteBuffer(ByteBuffer(bytes: response.body)))) }
        parts.append(.end(nil))
        try await outbound.write(contentsOf: parts)
    }

    /// Makes the coming close a TCP reset (SO_LINGER 0) rather than an orderly FIN.
    private static func arrangeReset(of channel: any NIOCore.Channel) async throws {
        guard let provider = channel as? any SocketOptionProvider else { return }
        try await provider.setSoLinger(linger(l_onoff: 1, l_linger: 0)).get()
    }
}
