import Foundation
import Testing
import YotiAPI

/// Specs built the way Yoti's SDK builders build them (Python, Node, Java, PHP), under
/// `Fixtures/sdk-corpus/`. None may be refused by default; `future-values.json` carries values Yoti
/// may add after this release, which only strict validation refuses.
@Suite("Session specs built by Yoti's SDKs")
struct SDKSpecCorpusTests {
    static let corpus = [
        "python-identity-checks.json", "python-share-code.json", "node-watchlist.json",
        "java-supplementary-document.json", "php-ibv.json", "future-values.json",
    ]

    /// The unknown values of `future-values.json`, by path.
    static let futurePaths: Set<String> = [
        "notifications.topics[1]", "requested_checks[1].type", "requested_tasks[0].type",
        "required_documents[0].type", "sdk_config.allowed_capture_methods",
    ]

    @Test("every corpus spec validates: nothing refused, at most warnings", arguments: corpus)
    func validatesWithWarningsOnly(name: String) throws {
        let spec = try TestFixtures.json("sdk-corpus/\(name)")
        #expect(SessionSpecValidator.validate(spec).isEmpty)
        #expect(SessionSpecValidator.findings(spec).allSatisfy { $0.isWarning })
    }

    @Test(
        "the SDK constants are known: no warning for specs using only them",
        arguments: corpus.filter { $0 != "future-values.json" })
    func knownValuesRaiseNoWarning(name: String) throws {
        let spec = try TestFixtures.json("sdk-corpus/\(name)")
        #expect(SessionSpecValidator.warnings(spec).map(\.description) == [])
        #expect(SessionSpecValidator.validate(spec, strict: true).isEmpty)
    }

    @Test("unknown values in open vocabularies are warnings with paths and values; strict refuses exactly them")
    func futureValues() throws {
        let spec = try TestFixtures.json("sdk-corpus/future-values.json")
        let warnings = SessionSpecValidator.warnings(spec)
        #expect(Set(warnings.map(\.path)) == Self.futurePaths)
        #expect(warnings.allSatisfy { $0.severity == .unknownValue && $0.value != nil })
        let taskWarning = try #require(warnings.first { $0.path == "requested_tasks[0].type" })
        #expect(taskWarning.value == "FACE_CAPTURE_TASK")
        #expect(taskWarning.field == "requested_tasks[].type")
        let refused = SessionSpecValidator.validate(spec, strict: true)
        #expect(Set(refused.map(\.path)) == Self.futurePaths)
        #expect(
            refused.contains { $0.description.hasPrefix(#"requested_checks[1].type: "AGE_ESTIMATION" is not one of"#) })
    }

    @Test("an unknown value never hides what is certainly wrong next to it")
    func certainProblemsStayErrors() throws {
        let spec: JSONValue = [
            "client_session_token_ttl": 300,
            "requested_checks": [["type": "NEW_CHECK", "config": ["manual_check": 7]]],
            "sdk_config": ["primary_colour": "blue", "dark_mode": "DIM"],
            "required_documents": [
                [
                    "type": "ID_DOCUMENT",
                    "filter": [
                        "type": "ORTHOGONAL_RESTRICTIONS",
                        "country_restriction": ["inclusion": "ALLOWLIST", "country_codes": ["gb"]],
                    ],
                ]
            ],
        ]
        let refused = Set(SessionSpecValidator.validate(spec).map(\.path))
        #expect(
            refused == [
                "client_session_token_ttl", "requested_checks[0].config.manual_check", "sdk_config.primary_colour",
                "sdk_config.dark_mode", "required_documents[0].filter.country_restriction.inclusion",
                "required_documents[0].filter.country_restriction.country_codes[0]",
            ])
        #expect(SessionSpecValidator.warnings(spec).map(\.path) == ["requested_checks[0].type"])
    }

    @Test("a missing type is still an error, known or not")
    func missingTag() {
        let spec: JSONValue = ["requested_tasks": [["config": [:] as JSONValue]]]
        #expect(SessionSpecValidator.validate(spec).map(\.path) == ["requested_tasks[0].type"])
    }
}
