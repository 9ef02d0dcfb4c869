import Foundation
import SystemSupport

#if canImport(Glibc)
    import Glibc
#endif

/// Plain TCP connections to the receiver on 127.0.0.1, opened and written by hand: what a client that
/// sends half a request and then waits looks like. Blocking calls; ``RawConnections/run(_:)`` keeps
/// them off the cooperative pool.
final class RawConnections: Sendable {
    let descriptors: [Int32]

    /// Opens `count` connections to `port` and sends `prefix` on each.
    init(count: Int, port: Int, sending prefix: String) throws {
        var opened: [Int32] = []
        for _ in 0..<count {
            let descriptor = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
            guard descriptor >= 0 else {
                opened.forEach { close($0) }
                throw POSIXError(.EMFILE)
            }
            var address = sockaddr_in()
            address.sin_family = sa_family_t(AF_INET)
            address.sin_port = in_port_t(UInt16(port).bigEndian)
            address.sin_addr.s_addr = inet_addr("127.0.0.1")
            let connected = withUnsafePointer(to: &address) { pointer in
                pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                    connect(descriptor, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) == 0
                }
            }
            guard connected else {
                close(descriptor)
                opened.forEach { close($0) }
                throw POSIXError(.ECONNREFUSED)
            }
            opened.append(descriptor)
            if !prefix.isEmpty {
                _ = Array(prefix.utf8).withUnsafeBytes {
                    send(descriptor, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL))
                }
            }
        }
        descriptors = opened
    }

    deinit { descriptors.forEach { close($0) } }

    /// Runs blocking `work` on a thread of its own.
    static func run<Value: Sendable>(_ work: @escaping @Sendable () throws -> Value) async throws -> Value {
        try await offCooperativePool(work)
    }

    /// Reads every connection until the server closes it (end of file or reset), for at most `limit`;
    /// returns what each received, or `nil` for those still open at the end.
    func readUntilClosed(within limit: Duration) -> [String?] {
        let deadline = ContinuousClock.now + limit
        var received = Array(repeating: [UInt8](), count: descriptors.count)
        var open = Set(descriptors.indices)
        var buffer = [UInt8](repeating: 0, count: 4096)
        while !open.isEmpty, ContinuousClock.now < deadline {
            var polled = open.map { pollfd(fd: descriptors[$0], events: Int16(POLLIN), revents: 0) }
            let indices = Array(open)
            let left = deadline - ContinuousClock.now
            let milliseconds = Int32(max(1, min(1_000, left.components.seconds * 1_000 + 1)))
            guard poll(&polled, nfds_t(polled.count), milliseconds) > 0 else { continue }
            for (slot, entry) in polled.enumerated() where entry.revents != 0 {
                let index = indices[slot]
                let count = buffer.withUnsafeMutableBytes { recv(descriptors[index], $0.baseAddress, $0.count, 0) }
                if count > 0 {
                    received[index] += buffer[0..<count]
                } else {
                    open.remove(index)
                }
            }
        }
        return received.indices.map { open.contains($0) ? nil : String(decoding: received[$0], as: UTF8.self) }
    }
}
