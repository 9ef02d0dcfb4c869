import Foundation
import YotiAPI

extension SandboxCore {
    /// Runs a verified IDV request against the session store.
    func idvEndpoint(
        _ ticket: RequestTicket, application: SandboxApplication, body: [UInt8], state: inout SandboxState
    ) -> SandboxResponse {
        switch ticket.route {
        case .createSession:
            return createSession(application: application, body: body, state: &state)
        case .supportedDocuments:
            return .json(.ok, Self.supportedDocuments)
        case .getSession(let id):
            return withSession(id, of: application, in: state) { session, now in
                .json(.ok, Self.result(of: session, at: now))
            }
        case .getConfiguration(let id):
            return withSession(id, of: application, in: state) { session, now in
                // As the instructions: a session whose token ran out can no longer be set up (409).
                session.state(at: now) == .expired ? Self.expired : .json(.ok, Self.configuration(of: session, at: now))
            }
        case .deleteSession(let id):
            return deleteSession(id, of: application, state: &state)
        case .putInstructions(let id):
            return putInstructions(id, of: application, body: body, state: &state)
        case .getInstructionsPDF(let id):
            return withSession(id, of: application, in: state) { session, _ in
                guard session.hasInstructions else { return SandboxResponse(status: .noContent) }
                return SandboxResponse(
                    status: .ok, headers: ["Content-Type": "application/pdf"],
                    body: InstructionsLetter.pdf(sessionID: session.id, instructions: session.instructions))
            }
        case .emailInstructions(let id):
            return emailInstructions(id, of: application, state: &state)
        default:
            return .error(.notFound, code: "NOT_FOUND", message: "no such endpoint in the Yoti sandbox")
        }
    }

    private func createSession(application: SandboxApplication, body: [UInt8], state: inout SandboxState)
        -> SandboxResponse
    {
        if var limiter = state.limiter {
            let wait = limiter.admit(now: .now)
            state.limiter = limiter
            if let wait {
                state.counters.rateLimited += 1
                var response = SandboxResponse.error(
                    .tooManyRequests, code: "TOO_MANY_REQUESTS",
                    message: "more session requests per second than allowed; retry after the delay")
                response.headers.add(name: "Retry-After", value: String(wait))
                return response
            }
        }
        guard let spec = Self.parseObject(body) else { return Self.malformedRequest }
        let problems = Self.specProblems(spec)
        guard problems.isEmpty else { return Self.payloadValidation(problems) }

        let now = state.now
        let ttl: Int
        var deadlineText: String?
        if let deadline = spec["session_deadline"]?.stringValue {
            guard let date = RFC3339.date(from: deadline), date > now else {
                return Self.payloadValidation([
                    .init(property: "session_deadline", message: "must be an RFC 3339 date-time in the future")
                ])
            }
            ttl = Int(date.timeIntervalSince(now).rounded(.down))
            deadlineText = deadline
        } else {
            // Yoti answers the seconds remaining: one less than requested by the time the answer leaves.
            // Digit strings count, as the validator accepts them (Yoti's own examples send them).
            let requested = spec["client_session_token_ttl"].flatMap {
                $0.int64Value ?? $0.stringValue.flatMap { Int64($0) }
            }
            ttl = Int(requested ?? 600) - 1
        }
        var session = SandboxSession(
            id: UUID().uuidString.lowercased(), sdkID: application.sdkID,
            userTrackingID: spec["user_tracking_id"]?.stringValue, createdAt: now,
            tokenExpiresAt: now.addingTimeInterval(TimeInterval(ttl)), isCompleted: false,
            requirements: Self.requirements(of: spec), hasInstructions: false, spec: spec,
            subscribesToEmailRequests: Self.subscribesToEmailRequests(spec))
        let checkTypes = (spec["requested_checks"]?.arrayValue ?? []).compactMap { $0["type"]?.stringValue }
        if !checkTypes.isEmpty { session.checkTypes = checkTypes }
        state.assignFate(to: &session)
        state.store(session)
        // The token is handed out once and not kept: the sandbox never needs it back.
        return .json(
            .created,
            CreateSessionResponse(
                clientSessionTokenTTL: ttl, clientSessionToken: UUID().uuidString.lowercased(), sessionID: session.id,
                sessionDeadline: deadlineText))
    }

    private func deleteSession(_ id: String, of application: SandboxApplication, state: inout SandboxState)
        -> SandboxResponse
    {
        guard state.sessions[id]?.sdkID == application.sdkID else { return Self.sessionNotFound }
        if state.behaviour.deleteAnswersConflict {
            return .error(
                .conflict, code: "SESSION_CHECKS_NOT_COMPLETED",
                message: "the session's checks are not finished; delete it later")
        }
        state.sessions[id] = nil
        state.counters.sessionsDeleted += 1
        return SandboxResponse(status: .noContent)
    }

    private func putInstructions(
        _ id: String, of application: SandboxApplication, body: [UInt8], state: inout SandboxState
    ) -> SandboxResponse {
        guard let session = state.sessions[id], session.sdkID == application.sdkID else { return Self.sessionNotFound }
        if session.state(at: state.now) == .expired { return Self.expired }
        guard let instructions = Self.parseObject(body) else { return Self.malformedRequest }
        let known = Set(session.requirements.map(\.id))
        var problems: [YotiErrorBody.PropertyError] = []
        for (index, document) in (instructions["documents"]?.arrayValue ?? []).enumerated() {
            let requirement = document["requirement_id"]?.stringValue
            if requirement.map(known.contains) != true {
                problems.append(
                    .init(
                        property: "documents[\(index)].requirement_id",
                        message: "is not a requirement id of this session (see GET /sessions/{id}/configuration)"))
            }
        }
        // As Yoti: a contact profile with both names and an email address, and a known branch type.
        for field in ["first_name", "last_name", "email"]
        where (instructions["contact_profile"]?[field]?.stringValue ?? "").isEmpty {
            problems.append(.init(property: "contact_profile.\(field)", message: "must not be empty"))
        }
        if let branch = instructions["branch"], branch["type"]?.stringValue != "UK_POST_OFFICE" {
            problems.append(.init(property: "branch.type", message: "must be UK_POST_OFFICE"))
        }
        problems += Self.documentProblems(instructions, session: session)
        guard problems.isEmpty else { return Self.payloadValidation(problems) }
        state.sessions[id]?.hasInstructions = true
        state.sessions[id]?.instructions = instructions
        state.sessions[id]?.instructionsPut += 1
        // As Yoti documents: the PUT "will just return a null body"; it emails nobody.
        announceNewLetter(id, state: &state)
        return SandboxResponse(status: .ok)
    }

    private func withSession(
        _ id: String, of application: SandboxApplication, in state: SandboxState,
        _ body: (SandboxSession, Date) -> SandboxResponse
    ) -> SandboxResponse {
        guard let session = state.sessions[id], session.sdkID == application.sdkID else { return Self.sessionNotFound }
        return body(session, state.now)
    }

    // MARK: Bodies

    static let sessionNotFound = SandboxResponse.error(
        .notFound, code: "SESSION_NOT_FOUND", message: "no session with this id for this application")

    static let expired = SandboxResponse.error(
        .conflict, code: "SESSION_EXPIRED", message: "the client session token has expired; create a new session")

    static func payloadValidation(_ problems: [YotiErrorBody.PropertyError]) -> SandboxResponse {
        .error(
            .badRequest, code: "PAYLOAD_VALIDATION", message: "there were errors validating the payload",
            errors: problems)
    }

    /// The body as a JSON object, or `nil` for anything else (answer `malformedRequest`).
    static func parseObject(_ body: [UInt8]) -> JSONValue? {
        guard let value = try? JSONDecoder().decode(JSONValue.self, from: Data(body)), value.objectValue != nil
        else { return nil }
        return value
    }

    static let malformedRequest = SandboxResponse.error(
        .badRequest, code: "MALFORMED_REQUEST", message: "the body is not a JSON object; send the spec as JSON")

    /// Capture requirements implied by the spec: one per required document (an ID document when none are
    /// listed), plus liveness when a LIVENESS check is requested.
    static func requirements(of spec: JSONValue) -> [SandboxSession.Requirement] {
        var types: [(String, JSONValue?)] = (spec["required_documents"]?.arrayValue ?? []).map {
            ($0["type"]?.stringValue ?? "ID_DOCUMENT", $0["filter"])
        }
        if types.isEmpty { types = [("ID_DOCUMENT", nil)] }
        if spec["requested_checks"]?.arrayValue?.contains(where: { $0["type"]?.stringValue == "LIVENESS" }) == true {
            types.append(("LIVENESS", nil))
        }
        return types.map { SandboxSession.Requirement(id: UUID().uuidString.lowercased(), type: $0.0, filter: $0.1) }
    }

    static func result(of session: SandboxSession, at now: Date) -> JSONValue {
        var result: [String: JSONValue] = [
            "session_id": .string(session.id),
            "state": .string(session.state(at: now).rawValue),
            "client_session_token_ttl": .integer(Int64(session.remainingTokenSeconds(at: now))),
            "checks": .array(session.checks(at: now)),
            "resources": [
                "id_documents": [], "supplementary_documents": [], "liveness_capture": [], "face_capture": [],
            ],
        ]
        if let tracking = session.userTrackingID { result["user_tracking_id"] = .string(tracking) }
        return .object(result)
    }

    static func configuration(of session: SandboxSession, at now: Date) -> JSONValue {
        let resources: [JSONValue] = session.requirements.map {
            var resource: [String: JSONValue] = ["id": .string($0.id), "type": .string($0.type), "state": "REQUIRED"]
            if let filter = $0.filter { resource["filter"] = filter }
            return .object(resource)
        }
        return [
            "session_id": .string(session.id),
            "client_session_token_ttl": .integer(Int64(session.remainingTokenSeconds(at: now))),
            "capture": ["required_resources": .array(resources)],
        ]
    }

    static let supportedDocuments: JSONValue = [
        "supported_countries": [
            [
                "code": "GBR",
                "supported_documents": [["type": "PASSPORT"], ["type": "DRIVING_LICENCE"], ["type": "NATIONAL_ID"]],
            ],
            ["code": "IRL", "supported_documents": [["type": "PASSPORT"], ["type": "DRIVING_LICENCE"]]],
            ["code": "USA", "supported_documents": [["type": "PASSPORT"], ["type": "DRIVING_LICENCE"]]],
        ]
    ]
}
