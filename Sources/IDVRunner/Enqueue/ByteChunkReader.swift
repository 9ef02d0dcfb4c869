import Dispatch
import Foundation

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// Reads a file descriptor in fixed-size chunks on its own serial queue.
///
/// `read(2)` blocks (a pipe from a slow producer, a network file system), so it never runs on
/// Swift's cooperative pool: each chunk is read on this reader's queue and handed back through a
/// continuation. Memory is one chunk at a time, whatever the size of the input.
final class ByteChunkReader: Sendable {
    private let descriptor: Int32
    private let closesDescriptor: Bool
    private let chunkSize: Int
    private let queue = DispatchQueue(label: "idv.enqueue.reader")

    /// Reads `descriptor`; closes it on deinit when `closesDescriptor` (a file this reader opened).
    init(descriptor: Int32, closesDescriptor: Bool, chunkSize: Int = 256 * 1024) {
        self.descriptor = descriptor
        self.closesDescriptor = closesDescriptor
        self.chunkSize = max(1, chunkSize)
    }

    /// Opens `path` for reading.
    /// - Throws: ``OperationError`` `.input` naming the file and the system's reason.
    convenience init(path: String) throws {
        let descriptor = open(path, O_RDONLY | O_CLOEXEC)
        guard descriptor >= 0 else {
            throw OperationError(
                code: .input,
                message: "Cannot open \(path): \(String(cString: strerror(errno))). Check the path and its permissions."
            )
        }
        self.init(descriptor: descriptor, closesDescriptor: true)
    }

    deinit {
        if closesDescriptor { close(descriptor) }
    }

    /// The next chunk, or `nil` at end of input.
    /// - Throws: ``OperationError`` `.input` when the read fails.
    func next() async throws -> [UInt8]? {
        try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<[UInt8]?, any Error>) in
            queue.async { [descriptor, chunkSize] in
                var buffer = [UInt8](repeating: 0, count: chunkSize)
                while true {
                    let count = buffer.withUnsafeMutableBytes { read(descriptor, $0.baseAddress, chunkSize) }
                    if count > 0 {
                        buffer.removeSubrange(count...)
                        continuation.resume(returning: buffer)
                    } else if count == 0 {
                        continuation.resume(returning: nil)
                    } else if errno == EINTR {
                        continue
                    } else {
                        continuation.resume(
                            throwing: OperationError(
                                code: .input, message: "Reading the input failed: \(String(cString: strerror(errno))).")
                        )
                    }
                    return
                }
            }
        }
    }
}
