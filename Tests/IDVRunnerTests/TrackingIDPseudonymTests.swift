import Foundation
import TestSupport
import Testing
import YotiAPI

@testable import IDVRunner

/// The keyed `user_tracking_id` pseudonym on the way to Yoti, and the warnings about personal-looking ids.
@Suite("user_tracking_id: keyed pseudonym and warnings")
struct TrackingIDPseudonymTests {
    static let pseudonym = try! UserTrackingPseudonym(key: Array("0123456789abcdef0123456789abcdef".utf8))

    @Test("with a key, a row without its own user_tracking_id sends the pseudonym on both paths; set values are kept")
    func catalogSendsPseudonym() throws {
        let configurations: [String: JSONValue] = [
            "plain": SpecCatalogTests.configurations["plain"]!,
            "own-tracking-id": SpecCatalogTests.configurations["own-tracking-id"]!,
        ]
        let catalog = SpecCatalog(configurations: configurations, pseudonym: Self.pseudonym)
        let expected = Self.pseudonym.trackingID(for: "ada@example.com")
        // No patch (the configuration worked out once), an empty patch (composed), and a claim that recorded
        // the external_ref as its subject: all send the pseudonym.
        for (patch, claimed) in [(nil, nil), ([:], nil), (nil, "ada@example.com")] as [(JSONValue?, String?)] {
            let prepared = catalog.prepare(
                configName: "plain", sessionSpec: patch, externalRef: "ada@example.com", userTrackingID: claimed)
            guard case .ready(let body, let trackingID, _, _) = prepared else {
                Issue.record("not ready: \(prepared)")
                continue
            }
            #expect(trackingID == expected)
            let text = String(decoding: body, as: UTF8.self)
            #expect(text.contains(expected) && !text.contains("ada@example.com"), "\(text)")
        }
        // A row that sets its own value, and a configuration that does, are sent as set.
        let own = catalog.prepare(
            configName: "plain", sessionSpec: ["user_tracking_id": "crm-7"], externalRef: "ada@example.com",
            userTrackingID: "crm-7")
        guard case .ready(_, let ownID, _, _) = own else {
            Issue.record("not ready: \(own)")
            return
        }
        #expect(ownID == "crm-7")
        let fixed = catalog.prepare(configName: "own-tracking-id", sessionSpec: nil, externalRef: "ada@example.com")
        guard case .ready(_, let fixedID, _, _) = fixed else {
            Issue.record("not ready: \(fixed)")
            return
        }
        #expect(fixedID == "fixed-id")
        // Without a key, the external_ref itself, as before.
        let plain = SpecCatalog(configurations: configurations)
        guard
            case .ready(_, let plainID, _, _) = plain.prepare(
                configName: "plain", sessionSpec: nil, externalRef: "ada@example.com")
        else {
            Issue.record("not ready")
            return
        }
        #expect(plainID == "ada@example.com")
    }

    @Test("a run with a key: Yoti gets the pseudonyms, the ledger records them, the external_refs stay home")
    func runSendsPseudonyms() async throws {
        try await RunnerHarness.with { harness in
            let batch = RunnerHarness.batchID("pseudonym")
            try await harness.enqueue(batch: batch, count: 5, prefix: "person-")
            var configuration = harness.configuration(batch: batch, concurrency: 4)
            configuration.trackingIDPseudonym = Self.pseudonym
            let summary = try await harness.run(configuration)
            #expect(summary.sessionsCreated == 5)
            let expected = Set((1...5).map { Self.pseudonym.trackingID(for: "person-\($0)") })
            let sent = Set(harness.sandboxSessions().compactMap(\.userTrackingID).filter { expected.contains($0) })
            #expect(sent == expected)
            #expect(!harness.sandboxSessions().contains { $0.userTrackingID?.hasPrefix("person-") == true })
            let ledger = try await harness.attempts(batch: batch)
            #expect(ledger.count == 5)
            #expect(Set(ledger.compactMap(\.userTrackingID)) == expected)
        }
    }

    @Test(
        "enqueue reports rows whose external_ref or user_tracking_id looks like an email or a phone, by line, never the value"
    )
    func enqueueWarns() async throws {
        try await MigratedDatabase.with { database in
            try await database.addConfiguration("standard")
            let lines = [
                #"{"external_ref": "ada@example.com"}"#,
                #"{"external_ref": "emp-2"}"#,
                #"{"external_ref": "+44 7700 900123"}"#,
                #"{"external_ref": "bob@example.org"}"#,
                #"{"external_ref": "emp-5", "session_spec": {"user_tracking_id": "07700 900456"}}"#,
                #"{"external_ref": "carol@example.net", "session_spec": {"user_tracking_id": "crm-6"}}"#,
            ]
            let report = try await database.enqueue(lines.joined(separator: "\n"), batch: "w", config: "standard")
            #expect(report.inserted == 6 && report.exitCode == 0)
            let warnings = report.trackingIDWarnings
            #expect(warnings.count == 3, "\(warnings)")
            #expect(
                warnings.contains { $0.hasPrefix("external_ref looks like an email address in 2 rows (lines 1, 4)") })
            #expect(warnings.contains { $0.hasPrefix("external_ref looks like a phone number in 1 row (line 3)") })
            #expect(warnings.contains { $0.hasPrefix("user_tracking_id looks like a phone number in 1 row (line 5)") })
            let rendered = report.render()
            #expect(rendered.contains("--tracking-id-key-file"))
            for value in ["ada@example.com", "7700 900123", "bob@example.org", "900456", "carol@example.net"] {
                #expect(!rendered.contains(value), "the report quotes \(value)")
            }
        }
    }

    @Test("run --dry-run warns about personal-looking ids unless a key replaces them, and masks the example body")
    func dryRunWarns() async throws {
        try await RunnerHarness.with { harness in
            let batch = RunnerHarness.batchID("dry-pseudonym")
            try await harness.enqueue(batch: batch, count: 3, prefix: "ada.king-")
            _ = try await harness.pool.query(
                "UPDATE idv.verification_requests SET external_ref = external_ref || '@example.com' WHERE batch_id = $1",
                [.text(batch)])
            let configuration = harness.configuration(batch: batch)
            let plain = try await Runner.dryRun(configuration: configuration, database: harness.pool)
            #expect(plain.rowsValid == 3)
            #expect(plain.trackingIDWarnings.count == 1)
            #expect(
                plain.trackingIDWarnings.first?.hasPrefix("external_ref looks like an email address in 3 rows") == true)
            #expect(!plain.render().contains("@example.com"), "\(plain.render())")

            var keyed = configuration
            keyed.trackingIDPseudonym = Self.pseudonym
            let pseudonymous = try await Runner.dryRun(configuration: keyed, database: harness.pool)
            #expect(pseudonymous.rowsValid == 3)
            #expect(pseudonymous.trackingIDWarnings.isEmpty)
            #expect(pseudonymous.exampleBody?.contains(UserTrackingPseudonym.prefix) == true)
        }
    }
}
