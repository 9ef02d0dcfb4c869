import Foundation
import PropertyBased
import Synchronization
import Testing
import YotiAPI

/// ``SessionSpecValidator/findings(_:composedFrom:patch:)`` (a configuration's findings reused for the
/// members a row's patch leaves alone) finds exactly what checking the whole composed spec finds.
@Suite("Session spec validation reusing a configuration's findings")
struct SessionSpecBaseFindingsTests {
    /// The fixture specs, with and without their own `user_tracking_id` (null, absent, a wrong type).
    static let bases: [JSONValue] = SessionSpecPropertyTests.base.flatMap { spec -> [JSONValue] in
        guard case .object(var members) = spec else { return [spec] }
        var variants: [JSONValue] = [spec]
        for tracking in [JSONValue.null, .integer(7), .string("fixed-id")] {
            members["user_tracking_id"] = tracking
            variants.append(.object(members))
        }
        members["user_tracking_id"] = nil
        variants.append(.object(members))
        return variants
    }

    /// Top-level members worth patching: every member of the schema, the composer's own, an unknown one.
    static let keys = [
        "client_session_token_ttl", "session_deadline", "resources_ttl", "user_tracking_id", "block_biometric_consent",
        "notifications", "requested_checks", "requested_tasks", "required_documents", "sdk_config", "ibv_options",
        "resources", "subject", "import_token", "x_unknown",
    ]

    /// A base and a merge patch touching one to four of its top-level members: deleting them, replacing
    /// them with random JSON or with another member's value, or patching inside them.
    static let cases = Generator<(JSONValue, JSONValue), Shrink.None<(JSONValue, JSONValue)>> { rng in
        let base = bases[Int.random(in: 0..<bases.count, using: &rng)]
        var patch: [String: JSONValue] = [:]
        for _ in 0..<Int.random(in: 1...4, using: &rng) {
            let key = keys[Int.random(in: 0..<keys.count, using: &rng)]
            switch Int.random(in: 0..<5, using: &rng) {
            case 0: patch[key] = .null
            case 1: patch[key] = RandomJSON.make(depth: 2, nulls: true, using: &rng)
            case 2: patch[key] = base[keys[Int.random(in: 0..<keys.count, using: &rng)]] ?? .integer(0)
            case 3:
                let strings = ["", "GBR", "gbr", "2026-13-01", "https://x.example", "#12345"]
                patch[key] = .string(strings[Int.random(in: 0..<strings.count, using: &rng)])
            default:
                // Inside the member: a random change to one of its own members (objects only).
                if case .object(let inner)? = base[key], let innerKey = inner.keys.randomElement(using: &rng) {
                    patch[key] = .object([innerKey: RandomJSON.make(depth: 1, nulls: true, using: &rng)])
                } else {
                    patch[key] = .integer(Int64.random(in: -1_000...2_000_000, using: &rng))
                }
            }
        }
        return (base, .object(patch))
    }

    @Test("random patches over the fixture specs: the same problems, in the same order, as checking the whole spec")
    func sameAsWholeCheck() async throws {
        let withProblems = Mutex(0)
        await propertyCheck(count: 1_000, input: Self.cases) { base, patch in
            let spec = try SessionSpecComposer.compose(configuration: base, rowSpec: patch, externalRef: "ref-1")
            let whole = SessionSpecValidator.findings(spec)
            let known = try #require(SessionSpecValidator.BaseFindings(base: base))
            #expect(SessionSpecValidator.findings(spec, composedFrom: known, patch: patch) == whole, "\(patch)")
            // Without a patch too (what a row with only a config_name composes).
            let plain = try SessionSpecComposer.compose(configuration: base, rowSpec: nil, externalRef: "ref-2")
            #expect(
                SessionSpecValidator.findings(plain, composedFrom: known, patch: nil)
                    == SessionSpecValidator.findings(plain))
            if !whole.isEmpty { withProblems.withLock { $0 += 1 } }
        }
        // The patches really produce problems to compare, not only clean specs.
        #expect(withProblems.withLock { $0 } > 300)
    }

    @Test("a problem in a member the patch leaves alone is still reported, from the configuration's findings")
    func untouchedProblemReported() throws {
        let base: JSONValue = [
            "client_session_token_ttl": 100, "resources_ttl": 90_000,
            "required_documents": [["type": "ID_DOCUMENT", "filter": ["type": "DOCUMENT_RESTRICTIONS"]]],
        ]
        let patch: JSONValue = ["resources": ["applicant_profile": ["date_of_birth": "1990-02-30"]]]
        let spec = try SessionSpecComposer.compose(configuration: base, rowSpec: patch, externalRef: "r")
        let known = try #require(SessionSpecValidator.BaseFindings(base: base))
        let found = SessionSpecValidator.findings(spec, composedFrom: known, patch: patch).map(\.path)
        #expect(found.contains("client_session_token_ttl"))
        #expect(found.contains("resources.applicant_profile.date_of_birth"))
        #expect(found == SessionSpecValidator.findings(spec).map(\.path))
    }
}
