import Logging
import ServiceLifecycle
import Synchronization
import UnixSignals

/// SIGINT/SIGTERM handling for every command that writes (`run`, `rerun`, `expire`, `enqueue`, `migrate`,
/// `configs push`): the work runs as a swift-service-lifecycle `Service` in a `ServiceGroup`; the first
/// signal shuts it down gracefully, a second one cancels it.
///
/// What "gracefully" means is the work's own: the runner and the expiry sweep stop between steps and
/// record the run (``Mode/graceful``); one-shot writers (``Mode/cancelStatement``) have their statement in
/// flight cancelled, which PostgreSQL rolls back, while everything already committed stays.
package enum SignalScope {
    /// How the work reacts to the first signal.
    package enum Mode: Sendable {
        /// The work sees the graceful shutdown (`Task.isShuttingDownGracefully`, `withGracefulShutdownHandler`).
        case graceful
        /// The work is cancelled at once (`cancelWhenGracefulShutdown`).
        case cancelStatement
    }

    /// What a signal-aware run ended with.
    package struct Outcome<Value: Sendable>: Sendable {
        /// The first signal received, if any.
        package var signal: UnixSignal?
        /// The work's result; `nil` only if the group failed before the work ran.
        package var result: Result<Value, any Error>?

        /// docs/design.md's exit code for an interrupted command: 143 for SIGTERM, 130 for SIGINT (or none).
        package var interruptedExitCode: Int32 { signal == .sigterm ? 143 : 130 }

        /// The work's value, or its error.
        package func get() throws -> Value {
            guard let result else { throw CancellationError() }
            return try result.get()
        }
    }

    /// Runs `service` with SIGINT/SIGTERM as graceful-shutdown signals (a second signal cancels it).
    /// Returns which signal came first and the error the group threw, if any.
    package static func run(
        _ service: some Service, logger: Logger, observing state: SignalState = SignalState()
    ) async -> (signal: UnixSignal?, error: (any Error)?) {
        let group = ServiceGroup(
            configuration: ServiceGroupConfiguration(
                services: [
                    .init(
                        service: service, successTerminationBehavior: .gracefullyShutdownGroup,
                        failureTerminationBehavior: .cancelGroup)
                ],
                logger: logger
            )
        )
        // ServiceGroup cannot tell which signal it caught, nor escalate on a second one: watch them here.
        let signals = await UnixSignalsSequence(trapping: .sigterm, .sigint)
        await withTaskGroup(of: Void.self) { tasks in
            tasks.addTask {
                do { try await group.run() } catch { state.failure.withLock { $0 = error } }
            }
            tasks.addTask {
                for await signal in signals {
                    let isFirst = state.firstSignal.withLock { first in
                        defer { if first == nil { first = signal } }
                        return first == nil
                    }
                    guard isFirst else {
                        logger.warning(
                            "Second signal: cancelling the work in flight", metadata: ["signal": "\(signal)"])
                        return
                    }
                    logger.notice("Signal received: stopping safely", metadata: ["signal": "\(signal)"])
                    await group.triggerGracefulShutdown()
                }
            }
            // Either the work ended (stop watching signals) or a second signal came (cancel the work).
            _ = await tasks.next()
            tasks.cancelAll()
            await tasks.waitForAll()
        }
        return (state.firstSignal.withLock { $0 }, state.failure.withLock { $0 })
    }

    /// Runs `body` under the signals (see ``Mode``) and returns its result with the first signal.
    package static func run<Value: Sendable>(
        mode: Mode, logger: Logger, observing state: SignalState = SignalState(),
        _ body: @escaping @Sendable () async throws -> Value
    ) async -> Outcome<Value> {
        let service = BodyService(mode: mode, body: body)
        let (signal, failure) = await run(service, logger: logger, observing: state)
        let result = service.result.withLock { $0 } ?? failure.map { Result<Value, any Error>.failure($0) }
        return Outcome(signal: signal, result: result)
    }

    /// One piece of work as a `Service`; keeps its result for the caller.
    private final class BodyService<Value: Sendable>: Service, Sendable {
        let mode: Mode
        let body: @Sendable () async throws -> Value
        let result = Mutex<Result<Value, any Error>?>(nil)

        init(mode: Mode, body: @escaping @Sendable () async throws -> Value) {
            self.mode = mode
            self.body = body
        }

        func run() async throws {
            let body = self.body
            let outcome: Result<Value, any Error>
            switch mode {
            case .graceful:
                outcome = await Result(catching: { try await body() })
            case .cancelStatement:
                outcome = await Result(catching: { try await cancelWhenGracefulShutdown { try await body() } })
            }
            result.withLock { $0 = outcome }
        }
    }
}

/// The signals a ``SignalScope`` has seen so far, readable while the work runs (e.g. for the exit code an
/// interrupted sweep records).
package final class SignalState: Sendable {
    let firstSignal = Mutex<UnixSignal?>(nil)
    let failure = Mutex<(any Error)?>(nil)

    package init() {}

    /// The first signal received, if any.
    package var signal: UnixSignal? { firstSignal.withLock { $0 } }

    /// 143 after SIGTERM, else 130.
    package var interruptedExitCode: Int32 { signal == .sigterm ? 143 : 130 }
}
