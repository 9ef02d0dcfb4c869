import PostgresClient
import YotiAPI

/// Builds each row's request body: the named configuration (loaded once per run) plus the row's
/// merge patch, or the row's full spec, then local validation — so a certainly-wrong spec costs no call.
struct SpecCatalog: Sendable {
    /// A row's body, ready to send, or why it cannot be sent.
    enum Prepared: Sendable {
        /// `body` is sent as-is (signed and sent byte for byte); `inBranch`: the spec has
        /// `ibv_options.support = MANDATORY`, so the session needs the In-Branch follow-through.
        case ready(body: [UInt8], userTrackingID: String?, resourcesTTL: Int?, inBranch: Bool)
        case invalid(problems: [String])
    }

    /// Named configurations by name (`idv.session_configs`).
    let configurations: [String: JSONValue]
    /// Refuse values unknown in an open vocabulary (`--strict`) instead of sending them with a warning.
    let strict: Bool
    /// Where unknown values sent anyway are collected, once per field and value.
    let warnings: SpecWarnings

    init(configurations: [String: JSONValue], strict: Bool = false, warnings: SpecWarnings = SpecWarnings()) {
        self.configurations = configurations
        self.strict = strict
        self.warnings = warnings
    }

    /// Loads every named configuration: the table is small and read once per run.
    /// - Throws: `PostgresError`, or a JSON error for a stored spec that is not JSON.
    static func load(
        from database: any RunnerDatabase, strict: Bool = false, warnings: SpecWarnings = SpecWarnings()
    ) async throws -> SpecCatalog {
        let rows = try await database.query("SELECT name, spec::text AS spec FROM idv.session_configs", [])
        var configurations: [String: JSONValue] = [:]
        for row in rows {
            configurations[try row.decode(String.self, "name")] = try JSONValue(
                jsonString: try row.decode(String.self, "spec"))
        }
        return SpecCatalog(configurations: configurations, strict: strict, warnings: warnings)
    }

    /// Composes and validates the spec of one row.
    /// - Parameter userTrackingID: sent when the spec sets none (a run's claim recorded it); default `externalRef`.
    func prepare(configName: String?, sessionSpec: JSONValue?, externalRef: String, userTrackingID: String? = nil)
        -> Prepared
    {
        var base: JSONValue?
        if let configName {
            guard let configuration = configurations[configName] else {
                let known = configurations.keys.sorted().prefix(10).joined(separator: ", ")
                return .invalid(problems: [
                    "config_name: no session configuration named \"\(configName)\" in idv.session_configs "
                        + "(known: \(known.isEmpty ? "none" : known)); push it with `idv-batch configs` or fix the row"
                ])
            }
            base = configuration
        }
        let spec: JSONValue
        do {
            spec = try SessionSpecComposer.compose(
                configuration: base, configurationName: configName, rowSpec: sessionSpec, externalRef: externalRef,
                userTrackingID: userTrackingID)
        } catch {
            return .invalid(problems: ["\(error)"])
        }
        let findings = SessionSpecValidator.findings(spec)
        let problems = findings.filter { strict || !$0.isWarning }
        guard problems.isEmpty else { return .invalid(problems: problems.map(\.description)) }
        warnings.record(findings.filter(\.isWarning))
        return .ready(
            body: spec.jsonBytes(),
            userTrackingID: spec["user_tracking_id"]?.stringValue,
            resourcesTTL: spec["resources_ttl"]?.int64Value.map { Int($0) },
            inBranch: spec["ibv_options"]?["support"]?.stringValue == "MANDATORY"
        )
    }
}
