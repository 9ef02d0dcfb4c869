import Foundation
import NIOHTTP1
import YotiAPI

extension SandboxCore {
    /// `POST`/`GET /v2/idv/sessions/configs`: Bearer API key, no RSA digest.
    func signConfigs(_ ticket: RequestTicket, headers: HTTPHeaders, body: [UInt8]) -> SandboxResponse {
        guard let key = Self.bearerToken(headers), signAPIKeys.contains(key) else {
            state.withLock { $0.counters.bearerRejected += 1 }
            return .error(
                .unauthorized, code: "UNAUTHORIZED",
                message: "missing or unknown Yoti Sign API key; send Authorization: Bearer <API key>")
        }
        guard ticket.route == .createSignConfig else {
            let configs = state.withLock { $0.signConfigs }
            let listed: [JSONValue] = configs.map {
                ["name": .string($0.name), "is_custom": true, "is_private": .bool($0.isPrivate)]
            }
            return .json(.ok, ["session_configs": JSONValue.array(listed)] as JSONValue)
        }
        guard let request = Self.parseObject(body) else { return Self.malformedRequest }
        var problems: [YotiErrorBody.PropertyError] = []
        let name = request["name"]?.stringValue ?? ""
        if name.isEmpty {
            problems.append(.init(property: "name", message: "is required and must be a non-empty string"))
        }
        if let flag = request["is_private"], flag.boolValue == nil {
            problems.append(.init(property: "is_private", message: "must be true or false"))
        }
        if let config = request["session_config"], config.objectValue != nil {
            problems += Self.specProblems(config).map {
                .init(property: "session_config." + ($0.property ?? ""), message: $0.message)
            }
        } else {
            problems.append(.init(property: "session_config", message: "is required and must be a session spec object"))
        }
        guard problems.isEmpty else { return Self.payloadValidation(problems) }
        let config = SandboxSignConfiguration(
            name: name, isPrivate: request["is_private"]?.boolValue ?? false,
            sessionConfig: request["session_config"] ?? [:])
        let stored: Bool = state.withLock { state in
            guard !state.signConfigs.contains(where: { $0.name == name }) else { return false }
            state.signConfigs.append(config)
            return true
        }
        guard stored else {
            return .error(
                .conflict, code: "CONFIG_ALREADY_EXISTS",
                message: "a session configuration with this name exists; choose another name")
        }
        return .json(
            .created, ["name": .string(name), "is_custom": true, "is_private": .bool(config.isPrivate)] as JSONValue)
    }

    static func bearerToken(_ headers: HTTPHeaders) -> String? {
        guard let value = headers.first(name: "Authorization") else { return nil }
        let parts = value.split(separator: " ", maxSplits: 1)
        guard parts.count == 2, parts[0].lowercased() == "bearer" else { return nil }
        return String(parts[1]).trimmingCharacters(in: .whitespaces)
    }
}
