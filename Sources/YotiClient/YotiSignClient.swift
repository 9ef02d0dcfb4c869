import Foundation
import Logging
import NIOHTTP1
import YotiAPI

/// A client for Yoti Sign's custom IDV session configurations (docs/yoti-api.md section 7).
///
/// Authorises with `Authorization: Bearer <API key>` (no RSA signature). The key never appears in
/// errors or descriptions. Call ``shutdown()`` once when done.
package final class YotiSignClient: Sendable, CustomStringConvertible {
    /// Yoti Sign production base URL.
    package static let productionBaseURL = "https://api.yotisign.com"
    /// Yoti Sign demo (sandbox) base URL (inferred from Yoti's docs).
    package static let demoBaseURL = "https://demo.api.yotisign.com"
    /// The configurations path under the base URL.
    package static let configurationsPath = "/v2/idv/sessions/configs"

    /// Settings with documented defaults.
    package struct Options: Sendable {
        /// Default 10 s.
        package var connectTimeout: Duration
        /// Default 30 s.
        package var requestTimeout: Duration
        /// Default 4 MiB.
        package var maxResponseBytes: Int
        /// Whether `createConfiguration` validates the session config first. Default `true`.
        package var validatesSpecs: Bool

        /// Creates options; defaults as documented on each property.
        package init(
            connectTimeout: Duration = .seconds(10), requestTimeout: Duration = .seconds(30),
            maxResponseBytes: Int = 4 << 20, validatesSpecs: Bool = true
        ) {
            self.connectTimeout = connectTimeout
            self.requestTimeout = requestTimeout
            self.maxResponseBytes = maxResponseBytes
            self.validatesSpecs = validatesSpecs
        }
    }

    /// The base URL without a trailing `/`.
    package let baseURL: String
    package let options: Options
    private let apiKey: String
    private let transport: YotiHTTPTransport

    /// Creates a client.
    /// - Parameters:
    ///   - baseURL: e.g. ``productionBaseURL`` or a local sandbox; a trailing `/` is removed.
    ///   - apiKey: the Yoti Sign API key (a secret: kept out of every message).
    /// - Throws: ``YotiAPIError`` with code `configuration` for a bad URL or an empty key.
    package init(
        baseURL: String, apiKey: String, options: Options = Options(),
        logger: Logger = Logger(label: "idv-batch.yoti-sign")
    ) throws {
        let operation = YotiOperation.sign("configure Yoti Sign client")
        self.baseURL = try IDVClient.normalisedBaseURL(baseURL, operation: operation)
        guard !apiKey.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty else {
            throw YotiAPIError(
                code: .configuration, operation: operation,
                message: "the Yoti Sign API key is empty: set YOTI_SIGN_API_KEY")
        }
        self.apiKey = apiKey.trimmingCharacters(in: .whitespacesAndNewlines)
        self.options = options
        self.transport = YotiHTTPTransport(
            connectTimeout: options.connectTimeout, requestTimeout: options.requestTimeout, maxConnections: 2,
            maxResponseBytes: options.maxResponseBytes, logger: logger)
    }

    /// The base URL to use: the flag, else `YOTI_SIGN_API_URL`, else production.
    package static func resolveBaseURL(
        flag: String?, environment: [String: String] = ProcessInfo.processInfo.environment
    ) -> String {
        let chosen = [flag, environment["YOTI_SIGN_API_URL"]].compactMap { $0 }
            .first { !$0.trimmingCharacters(in: .whitespaces).isEmpty }
        return IDVClient.stripTrailingSlashes(chosen?.trimmingCharacters(in: .whitespaces) ?? productionBaseURL)
    }

    /// `POST /v2/idv/sessions/configs` with `{name, is_private, session_config}`.
    /// - Returns: whatever Yoti answered (undocumented): the parsed JSON, `.null` for an empty body,
    ///   or the text as a string when it is not JSON.
    /// - Throws: ``YotiAPIError``; `permanent` with `INVALID_SESSION_SPEC` when the config fails local validation.
    package func createConfiguration(name: String, isPrivate: Bool, sessionConfig: JSONValue) async throws -> JSONValue
    {
        if options.validatesSpecs {
            let problems = SessionSpecValidator.validate(sessionConfig)
            if !problems.isEmpty {
                var error = IDVClient.invalidSpecError(problems)
                error.operation = .sign("POST \(Self.configurationsPath)")
                throw error
            }
        }
        let body: JSONValue = ["name": .string(name), "is_private": .bool(isPrivate), "session_config": sessionConfig]
        let response = try await send(
            .POST, body: body.jsonBytes(), operation: .sign("POST \(Self.configurationsPath)"))
        if response.body.isEmpty { return .null }
        if let json = try? JSONValue(jsonBytes: response.body) { return json }
        return .string(String(decoding: response.body, as: UTF8.self))
    }

    /// `GET /v2/idv/sessions/configs`: the configurations visible to this key.
    /// Tolerant: accepts `{"session_configs": [...]}` or a bare array; skips entries without a name.
    package func listConfigurations() async throws -> [SessionConfigurationSummary] {
        let operation = YotiOperation.sign("GET \(Self.configurationsPath)")
        let response = try await send(.GET, body: nil, operation: operation)
        let json = try transport.json(response, operation: operation)
        let entries = json["session_configs"]?.arrayValue ?? json.arrayValue ?? []
        return entries.compactMap { entry in
            guard let name = entry["name"]?.stringValue else { return nil }
            return SessionConfigurationSummary(
                name: name, isCustom: entry["is_custom"]?.boolValue, isPrivate: entry["is_private"]?.boolValue)
        }
    }

    /// Closes the connection pool.
    package func shutdown() async throws {
        try await transport.shutdown()
    }

    /// Redacted: shows the base URL only.
    package var description: String { "YotiSignClient(\(baseURL), api key: <redacted>)" }

    private func send(_ method: HTTPMethod, body: [UInt8]?, operation: YotiOperation) async throws -> CollectedResponse
    {
        var headers = HTTPHeaders()
        headers.add(name: "Authorization", value: "Bearer \(apiKey)")
        headers.add(name: "Accept", value: "application/json")
        if body != nil { headers.add(name: "Content-Type", value: "application/json") }
        return try await transport.send(
            method: method, url: baseURL + Self.configurationsPath, headers: headers, body: body, operation: operation)
    }
}
