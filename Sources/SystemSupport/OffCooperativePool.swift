import Dispatch

/// Runs blocking work (waitpid, file I/O) on a fresh dispatch queue rather than Swift's cooperative
/// pool, and resumes the caller with its result.
package func offCooperativePool<Value: Sendable>(
    _ work: @escaping @Sendable () throws -> Value
) async throws -> Value {
    try await withCheckedThrowingContinuation { continuation in
        DispatchQueue(label: "idv.blocking").async {
            continuation.resume(with: Result { try work() })
        }
    }
}
