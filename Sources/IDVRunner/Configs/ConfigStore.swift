import Foundation
import PostgresClient
import YotiAPI
import YotiClient

/// `idv-batch configs`: named session configurations in `idv.session_configs`, optionally registered
/// with Yoti Sign.
///
/// The stored copy is what rows with that `config_name` start from (the runner reads it at the start
/// of each run; `enqueue` validates rows against it). A configuration is validated with
/// ``SessionSpecValidator`` before it is stored or sent anywhere.
package struct ConfigStore: Sendable {
    /// What one push did.
    package struct PushResult: Sendable {
        package var name: String
        /// `true` when the name was new, `false` when an existing configuration was replaced.
        package var created: Bool
        /// Yoti Sign's answer when pushed with a client (undocumented shape, kept as is).
        package var remoteResponse: JSONValue?
        /// Why Yoti Sign refused it, when it did (the local copy is stored regardless).
        package var remoteError: YotiAPIError?

        /// 0 when everything asked for worked; 3 when Yoti Sign rejected the API key; 1 when it refused the config.
        package var exitCode: Int32 {
            guard let remoteError else { return 0 }
            return remoteError.code == .credentials ? 3 : 1
        }

        /// A line or two for the operator.
        package func render() -> String {
            var lines = [
                "\(created ? "Stored new" : "Replaced") session configuration \"\(name)\" in idv.session_configs."
            ]
            if let remoteResponse {
                lines.append("Registered with Yoti Sign; its answer: \(remoteResponse.redactingSecrets().jsonString())")
            }
            if let remoteError {
                var line = "Yoti Sign did not register it: \(remoteError)"
                if remoteError.status == 409 {
                    line +=
                        " (Yoti Sign has no update call: push under a new name to change a registered configuration)"
                }
                lines.append(line)
            }
            return lines.joined(separator: "\n")
        }
    }

    /// The longest accepted name.
    package static let maxNameLength = 200

    let database: any RunnerDatabase

    /// A store in `database` (a `PostgresPool`).
    package init(database: any RunnerDatabase) {
        self.database = database
    }

    /// Reads a session configuration file (one JSON object).
    /// - Throws: ``OperationError`` `.input` (unreadable) or `.invalidSpec` (not JSON, not an object).
    package static func readSpec(path: String) throws -> JSONValue {
        let data: Data
        do {
            data = try Data(contentsOf: URL(fileURLWithPath: path))
        } catch {
            throw OperationError(
                code: .input, message: "Cannot read \(path): \(error.localizedDescription). Check the path.")
        }
        guard let spec = try? JSONValue(jsonBytes: data) else {
            throw OperationError(
                code: .invalidSpec, message: "\(path) is not valid JSON: a configuration is one session spec object.")
        }
        guard case .object = spec else {
            throw OperationError(
                code: .invalidSpec, message: "\(path) holds \(spec.typeDescription), not a session spec object.")
        }
        return spec
    }

    /// Checks a name and a spec as ``push(name:spec:isPrivate:remote:)`` would.
    /// - Throws: ``OperationError`` `.usage` for a bad name, `.invalidSpec` listing every problem with its path.
    package static func validate(name: String, spec: JSONValue) throws {
        let trimmed = name.trimmingCharacters(in: .whitespaces)
        guard !trimmed.isEmpty, trimmed == name, name.count <= maxNameLength,
            !name.unicodeScalars.contains(where: { $0.properties.generalCategory == .control })
        else {
            throw OperationError(
                code: .usage,
                message: "A configuration name must be 1-\(maxNameLength) characters without control characters or "
                    + "surrounding spaces (e.g. standard-doc-liveness).")
        }
        let problems = SessionSpecValidator.validate(spec)
        guard problems.isEmpty else {
            throw OperationError(
                code: .invalidSpec,
                message: "Configuration \"\(name)\" is not a valid session spec: "
                    + SessionSpecValidator.describe(problems) + ". Fix the file and push again.")
        }
    }

    /// Validates and stores (or replaces) a configuration, then registers it with Yoti Sign when `remote` is given.
    /// - Parameters:
    ///   - remote: a Yoti Sign client for `--remote`; its refusal is reported in the result, not thrown.
    /// - Throws: ``OperationError`` (`.usage`, `.invalidSpec`, `.database`); `CancellationError`.
    package func push(name: String, spec: JSONValue, isPrivate: Bool, remote: YotiSignClient? = nil) async throws
        -> PushResult
    {
        try Self.validate(name: name, spec: spec)
        let created = try await OperationError.database("store configuration \"\(name)\"") {
            let rows = try await database.query(
                """
                INSERT INTO idv.session_configs (name, spec, is_private) VALUES ($1, $2::jsonb, $3)
                ON CONFLICT (name) DO UPDATE SET spec = EXCLUDED.spec, is_private = EXCLUDED.is_private
                RETURNING (xmax = 0) AS created
                """, [.text(name), .jsonb(spec.jsonString()), .boolean(isPrivate)])
            return try rows[0].decode(Bool.self, "created")
        }
        var result = PushResult(name: name, created: created)
        guard let remote else { return result }
        do {
            let response = try await remote.createConfiguration(name: name, isPrivate: isPrivate, sessionConfig: spec)
            result.remoteResponse = response
            _ = try await OperationError.database("record Yoti Sign's answer for \"\(name)\"") {
                try await database.query(
                    """
                    UPDATE idv.session_configs SET remote_registered_at = now(), remote_response = $2::jsonb
                    WHERE name = $1
                    """, [.text(name), .jsonb(response.jsonString())])
            }
        } catch let error as YotiAPIError {
            result.remoteError = error
        }
        return result
    }

    /// Every stored configuration, by name.
    /// - Throws: ``OperationError`` `.database`.
    package func list() async throws -> [StoredSessionConfig] {
        try await OperationError.database("list configurations") {
            try await database.query(
                """
                SELECT name, spec::text AS spec, is_private, \(StatusTime.sql("created_at")) AS created,
                       \(StatusTime.sql("updated_at")) AS updated, \(StatusTime.sql("remote_registered_at")) AS registered
                FROM idv.session_configs ORDER BY name
                """, []
            ).map { row in
                StoredSessionConfig(
                    name: try row.decode(String.self, "name"),
                    spec: try JSONValue(jsonString: try row.decode(String.self, "spec")),
                    isPrivate: try row.decode(Bool.self, "is_private"),
                    createdAt: try row.decode(String.self, "created"),
                    updatedAt: try row.decode(String.self, "updated"),
                    remoteRegisteredAt: try row.decode(String?.self, "registered"))
            }
        }
    }
}

extension ConfigStore.PushResult {
    init(name: String, created: Bool) {
        self.init(name: name, created: created, remoteResponse: nil, remoteError: nil)
    }
}
