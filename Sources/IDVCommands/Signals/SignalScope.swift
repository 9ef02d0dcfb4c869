import IDVRunner
import Logging
import ServiceLifecycle
import Synchronization
import UnixSignals

/// SIGINT/SIGTERM handling for every command that writes (`run`, `rerun`, `expire`, `enqueue`, `migrate`,
/// `configs push`): the work runs as a swift-service-lifecycle `Service` in a `ServiceGroup`; the first
/// signal shuts it down gracefully, a second one cancels it.
///
/// What "gracefully" means is the work's own: the runner and the expiry sweep stop between steps and
/// record the run (``OperationShutdown/graceful``); one-shot writers (``OperationShutdown/cancelStatement``) have
/// their statement in flight cancelled, which PostgreSQL rolls back, while everything already committed stays.
/// Every such command runs its work through ``run(mode:logger:observing:_:)`` (an ``OperationService``);
/// long-running services (the notifications receiver) through ``run(_:logger:observing:)``.
package enum SignalScope {
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

    /// Runs `body` as an ``OperationService`` under the signals (see ``OperationShutdown``) and returns its
    /// result with the first signal.
    package static func run<Value: Sendable>(
        mode: OperationShutdown, logger: Logger, observing state: SignalState = SignalState(),
        _ body: @escaping @Sendable () async throws -> Value
    ) async -> Outcome<Value> {
        let service = OperationService(shutdown: mode, body)
        let (signal, failure) = await run(service, logger: logger, observing: state)
        return Outcome(signal: signal, result: service.result ?? failure.map { .failure($0) })
    }

    /// Runs an operation (`run`, `instructions`, `sync`, `rerun`) that stops gracefully under the signals and
    /// gives its report with the command's exit code: the report's, or 130/143 when a signal stopped it.
    /// - Parameter name: the operation in the failure message ("The run failed: …").
    /// - Throws: the operation's ``OperationError``; any other failure as a ``CommandFailure`` (exit 3).
    package static func runOperation<Report: OperationReport>(
        _ name: String, logger: Logger, _ body: @escaping @Sendable () async throws -> Report
    ) async throws -> (report: Report, exitCode: Int32) {
        let outcome = await run(mode: .graceful, logger: logger, body)
        switch outcome.result {
        case .success(let report)?:
            return (report, report.wasInterrupted ? outcome.interruptedExitCode : report.exitCode)
        case .failure(let error as OperationError)?:
            throw error
        case .failure(let error)?:
            throw CommandFailure(exitCode: 3, message: "The \(name) failed: \(error)")
        case nil:
            throw CommandFailure(exitCode: 3, message: "The \(name) ended without a report; check the log above.")
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
