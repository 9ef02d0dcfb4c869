import ServiceLifecycle
import Synchronization

/// One piece of work run once as a swift-service-lifecycle `Service`, keeping what it returned for the
/// caller (the run's summary, the sync's report) — every operation runs as a service this one way
/// (compare swift-service-lifecycle's `ClosureService`, which keeps nothing).
///
/// Run it in a `ServiceGroup` whose graceful shutdown (SIGINT, SIGTERM) the work reacts to as
/// ``OperationShutdown`` says.
package final class OperationService<Value: Sendable>: Service, Sendable {
    let shutdown: OperationShutdown
    let body: @Sendable () async throws -> Value
    private let outcome = Mutex<Result<Value, any Error>?>(nil)

    /// A service that runs `body` once.
    package init(shutdown: OperationShutdown = .graceful, _ body: @escaping @Sendable () async throws -> Value) {
        self.shutdown = shutdown
        self.body = body
    }

    /// What the work returned or threw; `nil` before it ended.
    package var result: Result<Value, any Error>? { outcome.withLock { $0 } }

    /// What the work returned; `nil` before it ended, or when it threw.
    package var value: Value? { try? result?.get() }

    /// `Service` entry point: runs the work and keeps its result.
    /// - Throws: what the work threw (also kept in ``result``).
    package func run() async throws {
        let outcome: Result<Value, any Error>
        do {
            switch shutdown {
            case .graceful: outcome = .success(try await body())
            case .cancelStatement: outcome = .success(try await cancelWhenGracefulShutdown(body))
            }
        } catch {
            outcome = .failure(error)
        }
        self.outcome.withLock { $0 = outcome }
        _ = try outcome.get()
    }
}

/// How an ``OperationService``'s work reacts to its group's graceful shutdown (the first SIGINT/SIGTERM).
package enum OperationShutdown: Sendable {
    /// The work sees the graceful shutdown itself (`Task.isShuttingDownGracefully`,
    /// `withGracefulShutdownHandler`) and stops safely: the runner, the sync, the expiry sweep.
    case graceful
    /// The work is cancelled at once (`cancelWhenGracefulShutdown`): one-shot writers, whose statement in
    /// flight PostgreSQL then rolls back.
    case cancelStatement
}
