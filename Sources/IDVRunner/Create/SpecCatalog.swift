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
    /// When set, a row whose spec sets no `user_tracking_id` sends this pseudonym of its `external_ref`
    /// instead of the reference itself (``UserTrackingPseudonym``).
    let pseudonym: UserTrackingPseudonym?
    /// Each configuration as a row without a patch sends it, worked out once per run: such rows differ
    /// only by `user_tracking_id`, whose value the validator does not judge.
    let unpatched: [String: Unpatched]
    /// Each configuration's findings per top-level member, so a patched row's spec is checked only
    /// where its patch changed it (``SessionSpecValidator/BaseFindings``).
    let baseFindings: [String: SessionSpecValidator.BaseFindings]

    /// A configuration composed, validated and serialised once, with the body split around the
    /// `user_tracking_id` value that each row fills in.
    struct Unpatched: Sendable {
        /// What ``SessionSpecValidator`` finds in the composed spec.
        let findings: [SessionSpecProblem]
        /// The body up to the `user_tracking_id` value (the whole body when the configuration sets its own).
        let bodyPrefix: [UInt8]
        /// The body after that value; `nil` when the configuration sets its own `user_tracking_id`.
        let bodySuffix: [UInt8]?
        /// The configuration's own `user_tracking_id`, if it sets one.
        let fixedUserTrackingID: String?
        let resourcesTTL: Int?
        let inBranch: Bool

        /// Works out `configuration`, or `nil` when it cannot be composed on its own (every row then
        /// takes the general path, which reports why).
        init?(configuration: JSONValue) {
            let placeholder = "\u{0}"
            guard
                let spec = try? SessionSpecComposer.compose(
                    configuration: configuration, rowSpec: nil, externalRef: placeholder, userTrackingID: placeholder)
            else { return nil }
            findings = SessionSpecValidator.findings(spec)
            resourcesTTL = spec["resources_ttl"]?.int64Value.map { Int($0) }
            inBranch = spec["ibv_options"]?["support"]?.stringValue == "MANDATORY"
            let body = spec.jsonBytes()
            let trackingID = spec["user_tracking_id"]?.stringValue
            guard trackingID == placeholder else {
                (bodyPrefix, bodySuffix, fixedUserTrackingID) = (body, nil, trackingID)
                return
            }
            // The placeholder (NUL, which no stored configuration holds) is written exactly once.
            var written: [UInt8] = []
            JSONWriter.writeString(placeholder, into: &written)
            let matches = body.indices.filter { body[$0...].starts(with: written) }
            guard matches.count == 1, let start = matches.first else { return nil }
            bodyPrefix = Array(body[..<start])
            bodySuffix = Array(body[(start + written.count)...])
            fixedUserTrackingID = nil
        }

        /// The body of a row with this configuration and `userTrackingID`.
        func body(userTrackingID: String) -> [UInt8] {
            guard let bodySuffix else { return bodyPrefix }
            var body = bodyPrefix
            body.reserveCapacity(bodyPrefix.count + bodySuffix.count + userTrackingID.utf8.count + 2)
            JSONWriter.writeString(userTrackingID, into: &body)
            body.append(contentsOf: bodySuffix)
            return body
        }
    }

    /// Each configuration's `ibv_defaults` (In-Branch instructions rows are merged over), where set.
    let ibvDefaults: [String: JSONValue]

    init(
        configurations: [String: JSONValue], strict: Bool = false, warnings: SpecWarnings = SpecWarnings(),
        ibvDefaults: [String: JSONValue] = [:], pseudonym: UserTrackingPseudonym? = nil
    ) {
        self.configurations = configurations
        self.pseudonym = pseudonym
        self.ibvDefaults = ibvDefaults
        self.strict = strict
        self.warnings = warnings
        self.unpatched = configurations.compactMapValues(Unpatched.init(configuration:))
        self.baseFindings = configurations.compactMapValues(SessionSpecValidator.BaseFindings.init(base:))
    }

    /// What ``SessionSpecValidator/findings(_:)`` finds in `spec`, composed from the configuration
    /// `configName` (if any) and the row's `patch`: the configuration's unpatched members are not checked again.
    func findings(of spec: JSONValue, configName: String?, patch: JSONValue?) -> [SessionSpecProblem] {
        guard let configName, let base = baseFindings[configName] else { return SessionSpecValidator.findings(spec) }
        return SessionSpecValidator.findings(spec, composedFrom: base, patch: patch)
    }

    /// Loads every named configuration: the table is small and read once per run.
    /// - Throws: `PostgresError`, or a JSON error for a stored spec that is not JSON.
    static func load(
        from database: any RunnerDatabase, strict: Bool = false, warnings: SpecWarnings = SpecWarnings(),
        pseudonym: UserTrackingPseudonym? = nil
    ) async throws -> SpecCatalog {
        let rows = try await database.query(
            "SELECT name, spec::text AS spec, ibv_defaults::text AS ibv_defaults FROM idv.session_configs", [])
        var configurations: [String: JSONValue] = [:]
        var ibvDefaults: [String: JSONValue] = [:]
        for row in rows {
            let name = try row.decode(String.self, "name")
            configurations[name] = try JSONValue(jsonString: try row.decode(String.self, "spec"))
            if let defaults = try row.decode(String?.self, "ibv_defaults") {
                ibvDefaults[name] = try JSONValue(jsonString: defaults)
            }
        }
        return SpecCatalog(
            configurations: configurations, strict: strict, warnings: warnings, ibvDefaults: ibvDefaults,
            pseudonym: pseudonym)
    }

    /// Composes and validates the spec of one row.
    /// - Parameter userTrackingID: sent when the spec sets none (a run's claim recorded it); default `externalRef`,
    ///   or its ``pseudonym`` when the catalog has one (also when the claim recorded `externalRef` itself).
    func prepare(configName: String?, sessionSpec: JSONValue?, externalRef: String, userTrackingID: String? = nil)
        -> Prepared
    {
        let userTrackingID = defaultTrackingID(claimed: userTrackingID, externalRef: externalRef)
        if let configName, sessionSpec?.isNull ?? true, let known = unpatched[configName] {
            return prepare(known, userTrackingID: userTrackingID)
        }
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
        let findings = findings(of: spec, configName: configName, patch: sessionSpec)
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

    /// The `user_tracking_id` a row sends when its spec and configuration set none.
    func defaultTrackingID(claimed: String?, externalRef: String) -> String {
        if let pseudonym, claimed == nil || claimed == externalRef { return pseudonym.trackingID(for: externalRef) }
        return claimed ?? externalRef
    }

    /// ``prepare(configName:sessionSpec:externalRef:userTrackingID:)`` for a row without a patch: the
    /// same verdict and the same bytes, from the configuration's work done once.
    private func prepare(_ known: Unpatched, userTrackingID: String) -> Prepared {
        if !known.findings.isEmpty {
            let problems = known.findings.filter { strict || !$0.isWarning }
            guard problems.isEmpty else { return .invalid(problems: problems.map(\.description)) }
            warnings.record(known.findings.filter(\.isWarning))
        }
        return .ready(
            body: known.body(userTrackingID: userTrackingID),
            userTrackingID: known.fixedUserTrackingID ?? userTrackingID, resourcesTTL: known.resourcesTTL,
            inBranch: known.inBranch)
    }
}
