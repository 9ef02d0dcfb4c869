import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// A loopback port where connections are refused, for as long as this value lives: a socket bound to it
/// that never listens. Unlike a port bound and closed again, no other server (of a test running beside)
/// can take it meanwhile.
package final class RefusingPort: Sendable {
    /// The port number.
    package let port: Int
    private let descriptor: Int32

    /// Binds a fresh loopback port.
    /// - Throws: `POSIXError` when no socket can be bound.
    package init() throws {
        let descriptor = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard descriptor >= 0 else { throw POSIXError(.EMFILE) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafeMutablePointer(to: &address) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                bind(descriptor, $0, length) == 0 && getsockname(descriptor, $0, &length) == 0
            }
        }
        guard bound else {
            close(descriptor)
            throw POSIXError(.EADDRNOTAVAIL)
        }
        self.descriptor = descriptor
        self.port = Int(UInt16(bigEndian: address.sin_port))
    }

    deinit { close(descriptor) }
}
