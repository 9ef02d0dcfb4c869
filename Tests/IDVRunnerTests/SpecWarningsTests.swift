import Foundation
import TestSupport
import Testing
import YotiAPI

@testable import IDVRunner

/// Unknown values of open vocabularies in the runner and `enqueue`: sent (loaded) with one warning per
/// field and value, or refused with their paths when strict. No database needed.
@Suite("Spec warnings and --strict (runner, enqueue)")
struct SpecWarningsTests {
    static func futureSpec() throws -> JSONValue {
        let data = try Data(contentsOf: SharedPaths.sdkSpecCorpus.appendingPathComponent("future-values.json"))
        return try JSONValue(jsonBytes: Array(data))
    }

    static let unknownFields = [
        "notifications.topics[]", "required_documents[].type", "requested_checks[].type", "requested_tasks[].type",
        "sdk_config.allowed_capture_methods",
    ]

    @Test("the runner sends a spec with unknown values, and reports each field and value once per run")
    func runnerSendsAndReportsOnce() throws {
        let catalog = SpecCatalog(configurations: ["future": try Self.futureSpec()])
        for index in 0..<5 {
            guard case .ready = catalog.prepare(configName: "future", sessionSpec: nil, externalRef: "row-\(index)")
            else {
                Issue.record("row \(index) was not ready to send")
                return
            }
        }
        let lines = catalog.warnings.lines
        #expect(lines.count == Self.unknownFields.count, "\(lines)")
        for field in Self.unknownFields {
            #expect(lines.filter { $0.hasPrefix(field + ":") }.count == 1, "\(field) in \(lines)")
        }
        // A second value in the same field is a second warning.
        let patch: JSONValue = ["requested_tasks": [["type": "ANOTHER_NEW_TASK"]]]
        guard case .ready = catalog.prepare(configName: "future", sessionSpec: patch, externalRef: "row-x") else {
            Issue.record("patched row was not ready")
            return
        }
        #expect(catalog.warnings.lines.filter { $0.hasPrefix("requested_tasks[].type:") }.count == 2)
    }

    @Test("strict: the runner refuses the row naming every unknown value's JSON path; nothing is sent")
    func runnerStrictRefuses() throws {
        let catalog = SpecCatalog(configurations: ["future": try Self.futureSpec()], strict: true)
        guard case .invalid(let problems) = catalog.prepare(configName: "future", sessionSpec: nil, externalRef: "r")
        else {
            Issue.record("a strict catalog sent a spec with unknown values")
            return
        }
        for path in [
            "requested_checks[1].type", "requested_tasks[0].type", "notifications.topics[1]",
            "required_documents[0].type",
        ] {
            #expect(problems.contains { $0.hasPrefix(path + ":") }, "\(path) in \(problems)")
        }
        #expect(catalog.warnings.lines.isEmpty)
    }

    @Test("enqueue loads such rows with warnings; --strict rejects them with the paths")
    func enqueueValidator() throws {
        let candidate = EnqueueCandidate(line: 3, externalRef: "p-1", configName: "future", spec: nil)
        let lenient = EnqueueRowValidator(
            catalog: SpecCatalog(configurations: ["future": try Self.futureSpec()]), defaultConfig: nil)
        #expect((try? lenient.validate(candidate).get()) != nil)
        #expect(lenient.catalog.warnings.lines.count == Self.unknownFields.count)
        let strict = EnqueueRowValidator(
            catalog: SpecCatalog(configurations: ["future": try Self.futureSpec()], strict: true), defaultConfig: nil)
        switch strict.validate(candidate) {
        case .success: Issue.record("strict enqueue accepted unknown values")
        case .failure(let rejection):
            #expect(rejection.line == 3)
            #expect(rejection.reason.contains("requested_tasks[0].type"), "\(rejection.reason)")
        }
    }

    @Test("what is certainly wrong is refused whether strict or not")
    func certainProblems() {
        let spec: JSONValue = ["client_session_token_ttl": 120, "requested_checks": [["type": "NEW_CHECK"]]]
        let catalog = SpecCatalog(configurations: [:])
        guard case .invalid(let problems) = catalog.prepare(configName: nil, sessionSpec: spec, externalRef: "r") else {
            Issue.record("a ttl of 120 s was sent")
            return
        }
        #expect(problems.count == 1 && problems[0].hasPrefix("client_session_token_ttl:"), "\(problems)")
    }
}
