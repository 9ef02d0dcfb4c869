import Foundation
import NIOHTTP1
import Synchronization
import YotiAPI

/// The sandbox's request logic, independent of the network: routing, signatures, faults, sessions, stats.
///
/// Each decision runs synchronously under one lock; RSA verification runs outside it.
final class SandboxCore: Sendable {
    let applications: [String: SandboxApplication]
    let signAPIKeys: Set<String>
    let options: SandboxConfiguration.Options
    let state: Mutex<SandboxState>

    init(configuration: SandboxConfiguration) {
        var applications: [String: SandboxApplication] = [:]
        for application in configuration.applications { applications[application.sdkID] = application }
        self.applications = applications
        self.signAPIKeys = Set(configuration.signAPIKeys)
        self.options = configuration.options
        self.state = Mutex(SandboxState(behaviour: configuration.behaviour, options: configuration.options))
    }

    /// Routes a request head, counts it, and draws its latency and fault.
    func begin(method: HTTPMethod, uri: String) -> RequestTicket {
        let (path, rawQuery) = Self.split(uri: uri)
        let route = SandboxRoute(method: method, path: path)
        let signed: String =
            path.hasPrefix(SandboxRoute.idvPrefix)
            ? String(uri.dropFirst(SandboxRoute.idvPrefix.count)) : uri
        let query = Self.parse(query: rawQuery)
        let arrival = ContinuousClock.now
        return state.withLock { state in
            guard !route.isIntrospection else {
                return RequestTicket(
                    method: method, route: route, signedPathAndQuery: signed, query: query, fault: nil, delay: .zero,
                    arrival: arrival)
            }
            state.requestStarted()
            if route == .createSession { state.counters.createMeter.record(arrival) }
            let behaviour = state.behaviour
            var delay = behaviour.latency
            if behaviour.jitter > .zero { delay += behaviour.jitter * state.rng.unit() }
            var fault: InjectedFault?
            let inScope =
                route == .createSession || (route.isSignedIDV && behaviour.faultScope.includesEveryIDVRequest)
            if inScope && behaviour.faults != .none {
                fault = behaviour.faults.pick(state.rng.unit())
            }
            if fault == .resetBeforeCreating { state.countFault(.resetBeforeCreating) }
            return RequestTicket(
                method: method, route: route, signedPathAndQuery: signed, query: query, fault: fault, delay: delay,
                arrival: arrival)
        }
    }

    /// Marks a request begun with `begin` as finished (answered, reset or abandoned).
    func end(_ ticket: RequestTicket) {
        guard !ticket.route.isIntrospection else { return }
        state.withLock { $0.requestEnded() }
    }

    /// A signed IDV request's signature check, done as soon as the body is in (before the latency runs out);
    /// `nil` for requests that carry no IDV signature.
    func checkSignature(_ ticket: RequestTicket, headers: HTTPHeaders, body: [UInt8]) -> SignatureCheck? {
        guard ticket.route.isSignedIDV else { return nil }
        return verifySignature(ticket, headers: headers, body: body)
    }

    /// Decides the answer to a complete request and counts its status.
    /// - Parameter signature: the request's ``checkSignature(_:headers:body:)``, when it was done already.
    func finish(_ ticket: RequestTicket, headers: HTTPHeaders, body: [UInt8], signature: SignatureCheck? = nil)
        -> SandboxAction
    {
        let action = decide(ticket, headers: headers, body: body, signature: signature)
        if case .respond(let response) = action, !ticket.route.isIntrospection {
            record(status: response.status)
        }
        return action
    }

    /// Notes that the answer to `ticket` has been written (for the mean answer time of `POST /sessions`, and
    /// a created session's ``SandboxSession/answeredAt``).
    func answered(_ ticket: RequestTicket, response: SandboxResponse) {
        guard ticket.route == .createSession else { return }
        let (whole, fraction) = (ContinuousClock.now - ticket.arrival).components
        let seconds = Double(whole) + Double(fraction) * 1e-18
        let created =
            response.status == .created
            ? (try? JSONDecoder().decode(CreateSessionResponse.self, from: Data(response.body)))?.sessionID : nil
        state.withLock {
            $0.counters.createAnswers += 1
            $0.counters.createAnswerSeconds += seconds
            if let created {
                let now = $0.now
                $0.sessions[created]?.answeredAt = now
            }
        }
    }

    /// Counts an answer the connection produced itself (413, 400 for unparsable HTTP).
    func record(status: HTTPResponseStatus) {
        state.withLock { $0.counters.byStatus[Int(status.code), default: 0] += 1 }
    }

    private func decide(_ ticket: RequestTicket, headers: HTTPHeaders, body: [UInt8], signature: SignatureCheck?)
        -> SandboxAction
    {
        switch ticket.route {
        case .stats:
            return .respond(.json(.ok, state.withLock { $0.stats }))
        case .notFound:
            return .respond(.error(.notFound, code: "NOT_FOUND", message: "no such endpoint in the Yoti sandbox"))
        case .methodNotAllowed:
            return .respond(
                .error(
                    .methodNotAllowed, code: "METHOD_NOT_ALLOWED", message: "this endpoint does not take that method"))
        case .createSignConfig, .listSignConfigs:
            return .respond(signConfigs(ticket, headers: headers, body: body))
        default:
            return signedIDV(
                ticket, body: body, signature: signature ?? verifySignature(ticket, headers: headers, body: body))
        }
    }

    private func signedIDV(_ ticket: RequestTicket, body: [UInt8], signature: SignatureCheck) -> SandboxAction {
        let application: SandboxApplication
        switch signature {
        case .success(let verified):
            application = verified
        case .failure(let rejection):
            state.withLock { $0.counters.signaturesRejected += 1 }
            options.logger.debug("signature rejected", metadata: ["sandbox.reason": "\(rejection.reason)"])
            return .respond(.error(.unauthorized, code: "UNAUTHORIZED", message: rejection.message))
        }
        let behaviour = state.withLock { $0.behaviour }
        if let fault = ticket.fault, let early = earlyFault(fault, ticket: ticket, behaviour: behaviour) {
            return early
        }
        let response = state.withLock { state in
            idvEndpoint(ticket, application: application, body: body, state: &state)
        }
        guard let fault = ticket.fault else { return .respond(response) }
        return lateFault(fault, response: response, behaviour: behaviour)
    }

    /// Faults that answer before the endpoint runs; `nil` when the fault acts after it.
    private func earlyFault(_ fault: InjectedFault, ticket: RequestTicket, behaviour: SandboxBehaviour)
        -> SandboxAction?
    {
        let action: SandboxAction
        switch fault {
        case .internalServerError:
            action = .respond(.html(.internalServerError))
        case .serviceUnavailable:
            action = .respond(.html(.serviceUnavailable))
        case .tooManyRequests:
            var response = SandboxResponse.error(
                .tooManyRequests, code: "TOO_MANY_REQUESTS", message: "rate limit exceeded; retry after the delay")
            response.headers.add(name: "Retry-After", value: "1")
            action = .respond(response)
        case .resetBeforeCreating:
            // Already counted when the head arrived; the connection normally resets before we get here.
            return .reset
        case .stall where ticket.route == .createSession && behaviour.stallCreatesSession:
            return nil
        case .stall:
            action = .stall(behaviour.stallDuration)
        case .resetAfterCreating, .malformedCreated:
            return nil
        }
        state.withLock { $0.countFault(fault) }
        return action
    }

    /// Faults that act on the endpoint's answer after it ran (a session may now exist).
    private func lateFault(_ fault: InjectedFault, response: SandboxResponse, behaviour: SandboxBehaviour)
        -> SandboxAction
    {
        switch fault {
        case .stall:
            state.withLock { $0.countFault(fault) }
            return .stall(behaviour.stallDuration)
        case .resetAfterCreating:
            state.withLock { $0.countFault(fault) }
            return .reset
        case .malformedCreated:
            state.withLock { $0.countFault(fault) }
            return .respond(Self.truncated(response))
        default:
            return .respond(response)
        }
    }

    /// The answer with a body cut short: invalid JSON. A create answer is rebuilt without its token.
    static func truncated(_ response: SandboxResponse) -> SandboxResponse {
        var cut = response
        if let created = try? JSONDecoder().decode(CreateSessionResponse.self, from: Data(response.body)) {
            cut.body = Array(
                "{\"session_id\":\"\(created.sessionID)\",\"client_session_token_ttl\":\(created.clientSessionTokenTTL),\"client_sess"
                    .utf8)
        } else {
            cut.body = Array(response.body.prefix(max(1, response.body.count / 2)))
        }
        if cut.headers["Content-Type"].isEmpty { cut.headers.add(name: "Content-Type", value: "application/json") }
        return cut
    }

    // MARK: URI parsing

    static func split(uri: String) -> (path: String, query: String?) {
        guard let mark = uri.firstIndex(of: "?") else { return (uri, nil) }
        return (String(uri[..<mark]), String(uri[uri.index(after: mark)...]))
    }

    static func parse(query: String?) -> [String: String] {
        var parameters: [String: String] = [:]
        for pair in (query ?? "").split(separator: "&") {
            let parts = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            let name = String(parts[0]).removingPercentEncoding ?? String(parts[0])
            let value = parts.count > 1 ? (String(parts[1]).removingPercentEncoding ?? String(parts[1])) : ""
            if parameters[name] == nil { parameters[name] = value }
        }
        return parameters
    }
}
