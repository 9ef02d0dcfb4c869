import YotiAPI

/// Checks an input row the way the runner will see it, so a row that could never be sent is
/// reported now, with its line number, instead of failing tonight.
struct EnqueueRowValidator: Sendable {
    /// A row ready to insert.
    struct Row: Sendable {
        var line: Int
        var externalRef: String
        var configName: String?
        /// The row's `session_spec` as JSON text (`nil` for none).
        var specJSON: String?
        /// The row's `ibv_instructions` as JSON text (`nil` for none).
        var instructionsJSON: String? = nil
    }

    /// The named configurations.
    let catalog: SpecCatalog
    /// `--config`: the configuration of rows that name none.
    let defaultConfig: String?
    /// How In-Branch letters will be delivered (`enqueue --letters`); `nil`: not checked.
    let letters: LetterDelivery?
    /// Where rows that would send a personal-looking `user_tracking_id` are counted.
    let trackingIDs: TrackingIDWarnings?
    init(
        catalog: SpecCatalog, defaultConfig: String?, letters: LetterDelivery? = nil,
        trackingIDs: TrackingIDWarnings? = nil
    ) {
        self.catalog = catalog
        self.defaultConfig = defaultConfig
        self.letters = letters
        self.trackingIDs = trackingIDs
    }

    /// Validates a row: a non-empty `external_ref`, a known configuration, something to send, and a
    /// composed spec that passes ``SessionSpecValidator`` (unknown values in open vocabularies are
    /// recorded as warnings unless the catalog is strict); nothing PostgreSQL cannot store (NUL).
    func validate(_ candidate: EnqueueCandidate) -> Result<Row, EnqueueRejection> {
        func reject(_ reason: String) -> Result<Row, EnqueueRejection> {
            .failure(EnqueueRejection(line: candidate.line, reason: reason))
        }
        if candidate.externalRef.allSatisfy(\.isWhitespace) {
            return reject("external_ref is empty: every row needs the caller's id for the person")
        }
        if candidate.externalRef.utf8.contains(0) || candidate.configName?.utf8.contains(0) == true {
            return reject("external_ref or config_name contains a NUL character, which PostgreSQL text cannot hold")
        }
        if let spec = candidate.spec, Self.containsNUL(spec) {
            return reject("session_spec contains a NUL character (\\u0000), which PostgreSQL jsonb cannot hold")
        }
        if let instructions = candidate.instructions {
            if Self.containsNUL(instructions) {
                return reject("ibv_instructions contains a NUL character (\\u0000), which PostgreSQL jsonb cannot hold")
            }
            // Branch and documents may come from the configuration's ibv_defaults; the contact is per person.
            let problems = IBVInstructionsValidator.problems(in: instructions)
            guard problems.isEmpty else {
                return reject(
                    "ibv_instructions are not valid In-Branch instructions: "
                        + problems.map { "ibv_instructions.\($0)" }.joined(separator: "; "))
            }
        }
        let configName = candidate.configName ?? defaultConfig
        var base: JSONValue?
        if let configName {
            guard let configuration = catalog.configurations[configName] else {
                return reject(
                    "unknown config_name \"\(configName)\" (known: \(knownNames)); "
                        + "push it with `idv-batch configs push FILE --name \(configName)` or fix the row")
            }
            base = configuration
        } else if candidate.spec == nil {
            return reject(
                "neither config_name nor session_spec: give the row a config_name or a full session_spec, "
                    + "or pass --config NAME for every row")
        }
        let problems: [SessionSpecProblem]
        let composed: JSONValue?
        if candidate.spec == nil, let configName, let known = catalog.unpatched[configName] {
            // The configuration's problems, worked out once (see SpecCatalog.Unpatched).
            problems = known.findings
            composed = known.inBranch ? base : nil
        } else {
            do {
                let spec = try SessionSpecComposer.compose(
                    configuration: base, configurationName: configName, rowSpec: candidate.spec,
                    externalRef: candidate.externalRef)
                problems = catalog.findings(of: spec, configName: configName, patch: candidate.spec)
                composed = spec
            } catch {
                return reject("\(error)")
            }
        }
        let refusals = problems.filter { catalog.strict || !$0.isWarning }
        guard refusals.isEmpty else {
            let source = configName.map { "config \"\($0)\" with this row's session_spec" } ?? "session_spec"
            return reject("\(source) is not a valid session spec: \(SessionSpecValidator.describe(refusals))")
        }
        if let composed {
            // An In-Branch row: its letter must name what to bring, and reach the applicant.
            let letterProblems = InstructionsPlan.problemsBeforeCreation(
                spec: composed, instructions: candidate.instructions,
                defaults: configName.flatMap { catalog.ibvDefaults[$0] }, letters: letters)
            guard letterProblems.isEmpty else {
                return reject("In-Branch row cannot be sent: " + letterProblems.joined(separator: "; "))
            }
        }
        catalog.warnings.record(problems.filter(\.isWarning))
        if let trackingIDs {
            let position = Int64(candidate.line)
            let explicit = candidate.spec?["user_tracking_id"]?.stringValue
            trackingIDs.check(explicit, source: .explicit, position: position)
            let configured = configName.flatMap { catalog.configurations[$0]?["user_tracking_id"]?.stringValue }
            if explicit == nil, configured == nil {
                trackingIDs.check(candidate.externalRef, source: .externalRef, position: position)
            }
        }
        return .success(
            Row(
                line: candidate.line, externalRef: candidate.externalRef, configName: configName,
                specJSON: candidate.spec?.jsonString(), instructionsJSON: candidate.instructions?.jsonString()))
    }

    private var knownNames: String {
        let names = catalog.configurations.keys.sorted()
        guard !names.isEmpty else { return "none" }
        return names.prefix(10).joined(separator: ", ") + (names.count > 10 ? ", ..." : "")
    }

    private static func containsNUL(_ value: JSONValue) -> Bool {
        switch value {
        case .string(let text): return text.utf8.contains(0)
        case .array(let elements): return elements.contains(where: containsNUL)
        case .object(let members): return members.contains { $0.key.utf8.contains(0) || containsNUL($0.value) }
        default: return false
        }
    }
}
