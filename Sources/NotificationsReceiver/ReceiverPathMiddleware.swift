import Hummingbird
import IDVLogging
import Logging

/// In front of the receiver's routes: only the exact paths served get through (`/healthz/` is not
/// `/healthz`); an unknown path is a counted 404 `no such path`, a known path asked with another method a
/// counted 405 with `Allow`. Every answer on the notification path, refusals included, is timed
/// (`idv_receiver_request_duration_seconds`) and logged at debug.
struct ReceiverPathMiddleware: RouterMiddleware {
    typealias Context = BasicRequestContext

    /// The paths served, with the method named in a 405's `Allow`.
    let allowedMethods: [String: String]
    /// The notification path, whose answers are timed.
    let timedPath: String
    let metrics: ReceiverMetrics
    let logger: Logger

    func handle(
        _ request: Request, context: Context, next: (Request, Context) async throws -> Response
    ) async throws -> Response {
        let path = request.uri.path
        guard let allowed = allowedMethods[path] else {
            metrics.rejected(.notFound)
            return ReceiverAnswer.error(.notFound, "no such path")
        }
        guard path == timedPath else { return try await answer(request, context: context, allowed: allowed, next) }
        let start = ContinuousClock.now
        let response = try await answer(request, context: context, allowed: allowed, next)
        metrics.answered(after: ContinuousClock.now - start)
        logger.debug(
            "Notification request answered",
            metadata: [LogKey.httpStatus: "\(response.status.code)", LogKey.path: "\(timedPath)"])
        return response
    }

    /// The route's answer; the router's miss (a known path, another method) as a 405.
    private func answer(
        _ request: Request, context: Context, allowed: String,
        _ next: (Request, Context) async throws -> Response
    ) async throws -> Response {
        do {
            return try await next(request, context)
        } catch let error as HTTPError where error.status == .notFound {
            metrics.rejected(.method)
            return ReceiverAnswer.error(.methodNotAllowed, "method not allowed", headers: [.allow: allowed])
        }
    }
}
