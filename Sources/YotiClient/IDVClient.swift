import AsyncHTTPClient
import Foundation
import Logging
import NIOHTTP1
import YotiAPI

/// A client for the Yoti IDV API (docs/yoti-api.md section 3): signed requests over one pooled HTTP client.
///
/// Every call either succeeds or throws exactly one ``YotiAPIError`` (or `CancellationError`,
/// untouched). Each send is signed afresh (new nonce and timestamp), so a retry is a new request.
/// Call ``shutdown()`` once when done.
package final class IDVClient: Sendable {
    /// Yoti's production IDV base URL.
    package static let productionBaseURL = "https://api.yoti.com/idverify/v1"
    /// Yoti's hosted sandbox IDV base URL (needs sandbox keys).
    package static let yotiSandboxBaseURL = "https://api.yoti.com/sandbox/idverify/v1"

    /// The base URL without a trailing `/`.
    package let baseURL: String
    /// The settings in force.
    package let options: Options
    private let signer: RequestSigner
    private let transport: YotiHTTPTransport
    private let now: @Sendable () -> Date

    /// Creates a client.
    /// - Parameters:
    ///   - baseURL: the IDV API base (e.g. ``productionBaseURL`` or a local sandbox); a trailing `/` is removed.
    ///   - sdkID: the Yoti Hub application's SDK id.
    ///   - key: the application's private key.
    ///   - options: timeouts, pool size, SDK headers.
    ///   - logger: receives debug lines with operation, status, outcome and request id (never secrets).
    /// - Throws: ``YotiAPIError`` with code `configuration` when the base URL is not an http(s) URL.
    package convenience init(
        baseURL: String, sdkID: String, key: YotiPrivateKey, options: Options = Options(),
        logger: Logger = Logger(label: "idv-batch.yoti")
    ) throws {
        let signer = RequestSigner(sdkID: sdkID, key: key, sdkName: options.sdkName, sdkVersion: options.sdkVersion)
        try self.init(baseURL: baseURL, signer: signer, options: options, logger: logger)
    }

    /// Creates a client around a prepared signer (tests inject nonce and clock through it).
    /// - Parameter clock: the source of send times for ``CreatedSession/sentAt``.
    /// - Throws: ``YotiAPIError`` with code `configuration` when the base URL is not an http(s) URL.
    package init(
        baseURL: String, signer: RequestSigner, options: Options = Options(),
        logger: Logger = Logger(label: "idv-batch.yoti"), clock: @escaping @Sendable () -> Date = { Date() }
    ) throws {
        self.baseURL = try Self.normalisedBaseURL(baseURL, operation: .idv("configure IDV client"))
        self.signer = signer
        self.options = options
        self.now = clock
        self.transport = YotiHTTPTransport(
            connectTimeout: options.connectTimeout, requestTimeout: options.requestTimeout,
            maxConnections: options.maxConnections, maxResponseBytes: options.maxResponseBytes, logger: logger)
    }

    /// The base URL to use: the flag, else `YOTI_IDV_API_URL`, else `YOTI_DOC_SCAN_API_URL`, else production.
    /// Empty values count as unset; a trailing `/` is removed.
    package static func resolveBaseURL(
        flag: String?, environment: [String: String] = ProcessInfo.processInfo.environment
    ) -> String {
        let candidates = [flag, environment["YOTI_IDV_API_URL"], environment["YOTI_DOC_SCAN_API_URL"]]
        let chosen = candidates.compactMap { $0 }.first { !$0.trimmingCharacters(in: .whitespaces).isEmpty }
        return stripTrailingSlashes(chosen?.trimmingCharacters(in: .whitespaces) ?? productionBaseURL)
    }

    // MARK: - Sessions

    /// `POST /sessions` with a body serialised by the caller: these exact bytes are signed and sent.
    /// The bytes are not validated here.
    /// - Returns: the created session with its send time and token expiry.
    /// - Parameter presigned: the same request signed ahead by ``presignCreateSession(body:)``; used when
    ///   still fresh (``presignedMaxAge``), else the request is signed now.
    /// - Throws: ``YotiAPIError``; a 2xx whose body cannot be parsed is `unknownOutcome`.
    package func createSession(body: [UInt8], presigned: PresignedRequest? = nil) async throws -> CreatedSession {
        let operation = YotiOperation.idv("POST /sessions")
        var sentAt = now()
        let response = try await call(
            .POST, path: "/sessions", body: body, operation: operation, presigned: presigned
        ) {
            sentAt = self.now()
        }
        guard let created = try? JSONDecoder().decode(CreateSessionResponse.self, from: Data(response.body)) else {
            throw YotiResponseClassifier.unreadableSuccess(
                status: response.status, headers: response.headers, bodyLength: response.body.count,
                operation: operation)
        }
        return CreatedSession(
            response: created, sentAt: sentAt, requestID: response.headers.first(name: "x-request-id"),
            httpStatus: response.status)
    }

    /// `POST /sessions` with a spec: validated locally first (unless ``Options/validatesSpecs`` is
    /// off), serialised once, and those bytes signed and sent.
    /// - Throws: ``YotiAPIError`` — `permanent` with `yotiCode` `INVALID_SESSION_SPEC` and one error per
    ///   problem when validation fails (no request is made).
    package func createSession(_ spec: JSONValue) async throws -> CreatedSession {
        if options.validatesSpecs {
            let problems = SessionSpecValidator.validate(spec)
            if !problems.isEmpty { throw Self.invalidSpecError(problems) }
        }
        return try await createSession(body: spec.jsonBytes())
    }

    /// `POST /sessions` with a typed spec: same as ``createSession(_:)-(JSONValue)`` on `spec.json`.
    package func createSession(_ spec: SessionSpec) async throws -> CreatedSession {
        try await createSession(spec.json)
    }

    /// `GET /sessions/{id}`: the session result (state, checks, resources, ...), parsed tolerantly.
    /// - Throws: ``YotiAPIError`` (404 is `permanent`).
    package func getSession(id: String) async throws -> JSONValue {
        let operation = YotiOperation.idv("GET /sessions/{id}")
        let response = try await call(.GET, path: "/sessions/\(Self.pathSegment(id))", operation: operation)
        return try transport.json(response, operation: operation)
    }

    /// `DELETE /sessions/{id}`: deletes the session and its media. Any 2xx is success.
    /// - Throws: ``YotiAPIError``; 409 (checks unfinished) is `permanent` with `status == 409`.
    package func deleteSession(id: String) async throws {
        _ = try await call(.DELETE, path: "/sessions/\(Self.pathSegment(id))", operation: .idv("DELETE /sessions/{id}"))
    }

    // MARK: - In-Branch Verification

    /// `GET /sessions/{id}/configuration`: `capture.required_resources[].id` are the requirement ids
    /// IBV instructions refer to.
    package func getSessionConfiguration(id: String) async throws -> JSONValue {
        let operation = YotiOperation.idv("GET /sessions/{id}/configuration")
        let response = try await call(
            .GET, path: "/sessions/\(Self.pathSegment(id))/configuration", operation: operation)
        return try transport.json(response, operation: operation)
    }

    /// `PUT /sessions/{id}/instructions` with the IBV instructions (contact profile, documents, branch).
    /// - Throws: ``YotiAPIError``; 409 (session expired) is `permanent` with `status == 409`.
    package func putInstructions(sessionID: String, _ instructions: JSONValue) async throws {
        _ = try await call(
            .PUT, path: "/sessions/\(Self.pathSegment(sessionID))/instructions", body: instructions.jsonBytes(),
            operation: .idv("PUT /sessions/{id}/instructions"))
    }

    /// `GET /sessions/{id}/instructions/pdf`: the customer letter.
    /// - Returns: the PDF bytes, or `nil` when Yoti answers 204 (no letter).
    package func instructionsPDF(sessionID: String) async throws -> [UInt8]? {
        let response = try await call(
            .GET, path: "/sessions/\(Self.pathSegment(sessionID))/instructions/pdf",
            operation: .idv("GET /sessions/{id}/instructions/pdf"))
        return response.status == 204 || response.body.isEmpty ? nil : response.body
    }

    /// `POST /sessions/{id}/instructions/email`: asks Yoti to email the letter to the applicant.
    package func requestInstructionsEmail(sessionID: String) async throws {
        _ = try await call(
            .POST, path: "/sessions/\(Self.pathSegment(sessionID))/instructions/email",
            operation: .idv("POST /sessions/{id}/instructions/email"))
    }

    /// `GET /supported-documents`: `{"supported_countries": [...]}`. Signed without `sdkId`, as Yoti's SDKs do.
    package func supportedDocuments() async throws -> JSONValue {
        let operation = YotiOperation.idv("GET /supported-documents")
        let response = try await call(.GET, path: "/supported-documents", includeSDKID: false, operation: operation)
        return try transport.json(response, operation: operation)
    }

    /// Closes the connection pool. Call once, after the last call has finished.
    package func shutdown() async throws {
        try await transport.shutdown()
    }

    // MARK: - Signing ahead

    /// How old a request signed ahead may be when it is sent; older, it is signed again. Yoti may reject
    /// stale timestamps; a second keeps every send's timestamp within a second of its send.
    package static let presignedMaxAge: Duration = .seconds(1)

    /// Signs `POST /sessions` with `body` now, for a send moments later (its own nonce and timestamp, used
    /// once): a caller with idle time before a slot frees (a row claimed ahead) takes the signature off the
    /// call's critical path. `nil` when it cannot be signed: the send then signs and reports why.
    package func presignCreateSession(body: [UInt8]) -> PresignedRequest? {
        guard let signed = try? signer.sign(method: HTTPMethod.POST.rawValue, path: "/sessions", body: body) else {
            return nil
        }
        return PresignedRequest(signed: signed, signedAt: .now)
    }

    // MARK: - Plumbing

    /// Signs (fresh nonce and timestamp) — or takes `presigned` when it is this request and fresh — builds
    /// the URL from the exact signed string, and sends.
    private func call(
        _ method: HTTPMethod, path: String, body: [UInt8]? = nil, includeSDKID: Bool = true,
        operation: YotiOperation, presigned: PresignedRequest? = nil, beforeSend: () -> Void = {}
    ) async throws -> CollectedResponse {
        let signed: SignedRequest
        do {
            if let presigned, presigned.isUsable(method: method, path: path, body: body, includeSDKID: includeSDKID) {
                signed = presigned.signed
            } else {
                signed = try signer.sign(method: method.rawValue, path: path, body: body, includeSDKID: includeSDKID)
            }
        } catch {
            throw YotiAPIError(
                code: .permanent, operation: operation,
                message: "the request could not be signed (\(type(of: error))): check the key file")
        }
        var headers = HTTPHeaders()
        for header in signed.headers { headers.add(name: header.name, value: header.value) }
        return try await transport.send(
            method: method, url: baseURL + signed.pathAndQuery, headers: headers, body: signed.body,
            operation: operation, beforeSend: beforeSend)
    }

    /// The error for a spec that failed local validation: permanent, one property error per problem.
    package static func invalidSpecError(_ problems: [SessionSpecProblem]) -> YotiAPIError {
        YotiAPIError(
            code: .permanent, operation: .idv("POST /sessions"), yotiCode: "INVALID_SESSION_SPEC",
            errors: problems.map { YotiErrorBody.PropertyError(property: $0.path, message: $0.message) },
            message:
                "the session spec failed local validation (\(problems.count) problem\(problems.count == 1 ? "" : "s")); nothing was sent: fix the spec (config or row) and re-run"
        )
    }

    static func normalisedBaseURL(_ raw: String, operation: YotiOperation) throws -> String {
        let trimmed = stripTrailingSlashes(raw.trimmingCharacters(in: .whitespaces))
        guard let url = URL(string: trimmed), let scheme = url.scheme?.lowercased(),
            scheme == "http" || scheme == "https",
            let host = url.host, !host.isEmpty, url.query == nil
        else {
            throw YotiAPIError(
                code: .configuration, operation: operation,
                message:
                    "\"\(trimmed)\" is not a usable base URL: give an http(s) URL without a query, such as \(productionBaseURL)"
            )
        }
        return trimmed
    }

    static func stripTrailingSlashes(_ url: String) -> String {
        var url = url
        while url.hasSuffix("/") { url.removeLast() }
        return url
    }

    /// Percent-encodes an id for use as one path segment (ids are UUIDs, which pass unchanged).
    static func pathSegment(_ id: String) -> String {
        let allowed = CharacterSet(charactersIn: "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~")
        return id.addingPercentEncoding(withAllowedCharacters: allowed) ?? id
    }
}
