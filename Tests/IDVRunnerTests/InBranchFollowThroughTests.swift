import Foundation
import PostgresClient
import TestSupport
import Testing
import YotiAPI
import YotiSandbox

@testable import IDVRunner

/// The In-Branch follow-through (configuration → instructions → letter) against PostgreSQL and the sandbox.
@Suite("In-Branch follow-through (PostgreSQL + sandbox)", .serialized)
struct InBranchFollowThroughTests {
    /// An In-Branch spec: one ID document requirement restricted to GBR passports and driving licences.
    /// ``ibvSpec`` allowing exactly one document for its ID requirement (a GBR passport): rows naming none get it.
    static let onePassportSpec: JSONValue = JSONMergePatch.apply(
        [
            "required_documents": [
                [
                    "type": "ID_DOCUMENT",
                    "filter": [
                        "type": "DOCUMENT_RESTRICTIONS", "inclusion": "WHITELIST",
                        "documents": [["country_codes": ["GBR"], "document_types": ["PASSPORT"]]],
                    ],
                ]
            ]
        ], to: ibvSpec)

    static let ibvSpec: JSONValue = JSONMergePatch.apply(
        [
            "ibv_options": ["support": "MANDATORY"],
            "required_documents": [
                [
                    "type": "ID_DOCUMENT",
                    "filter": [
                        "type": "DOCUMENT_RESTRICTIONS", "inclusion": "WHITELIST",
                        "documents": [["country_codes": ["GBR"], "document_types": ["PASSPORT", "DRIVING_LICENCE"]]],
                    ],
                ]
            ],
        ], to: TestSessionSpec.valid)

    static func instructions(
        first: String = "Ada", last: String = "Lovelace", email: String = "ada@example.com",
        documentType: String = "PASSPORT"
    ) -> JSONValue {
        [
            "contact_profile": ["first_name": .string(first), "last_name": .string(last), "email": .string(email)],
            "documents": [["type": "ID_DOCUMENT", "document_type": .string(documentType), "country_code": "GBR"]],
        ]
    }

    static func insert(
        _ harness: RunnerHarness, batch: String, ref: String, spec: JSONValue = ibvSpec,
        instructions: JSONValue?, config: String? = nil
    ) async throws {
        _ = try await harness.pool.query(
            """
            INSERT INTO idv.verification_requests (batch_id, external_ref, config_name, session_spec, ibv_instructions)
            VALUES ($1, $2, $3, $4::jsonb, $5::jsonb)
            """,
            [
                .text(batch), .text(ref), config.map { .text($0) } ?? .null, .jsonb(spec.jsonString()),
                instructions.map { .jsonb($0.jsonString()) } ?? .null,
            ])
    }

    struct FollowRow {
        var ref: String
        var status: String
        var state: String?
        var error: String?
        var path: String?
        var bytes: Int64?
        var sha: String?
    }

    static func followRows(_ harness: RunnerHarness, batch: String) async throws -> [FollowRow] {
        try await harness.pool.query(
            """
            SELECT external_ref, status, instructions_status, instructions_error, letter_path, letter_bytes, letter_sha256
            FROM idv.verification_requests WHERE batch_id = $1 ORDER BY id
            """, [.text(batch)]
        ).map {
            FollowRow(
                ref: try $0.decode(String.self, "external_ref"), status: try $0.decode(String.self, "status"),
                state: try $0.decode(String?.self, "instructions_status"),
                error: try $0.decode(String?.self, "instructions_error"),
                path: try $0.decode(String?.self, "letter_path"),
                bytes: try $0.decode(Int64?.self, "letter_bytes"), sha: try $0.decode(String?.self, "letter_sha256"))
        }
    }

    /// Ledger attempts of the batch per operation and outcome.
    static func ledger(_ harness: RunnerHarness, batch: String) async throws -> [String: Int] {
        var counts: [String: Int] = [:]
        for row in try await harness.pool.query(
            "SELECT operation, outcome, count(*) AS n FROM idv.attempts WHERE batch_id = $1 GROUP BY 1, 2",
            [.text(batch)])
        {
            counts["\(try row.decode(String.self, "operation"))/\(try row.decode(String?.self, "outcome") ?? "-")"] =
                try row.decode(Int.self, "n")
        }
        return counts
    }

    static func followThrough(_ harness: RunnerHarness, batch: String, letters: URL, runID: Int64?) async
        -> FollowThrough.Report
    {
        await FollowThrough(
            configuration: harness.configuration(batch: batch, concurrency: 8), database: harness.pool,
            client: harness.client, delivery: .save(directory: letters), logger: RunnerHarness.logger(label: "test.ibv")
        ).execute(runID: runID)
    }

    static func temporaryDirectory() throws -> URL {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("ibv-letters-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url
    }

    @Test("a batch of In-Branch rows ends created + letter_saved: one GET and one PUT each, private readable letters")
    func cleanBatch() async throws {
        try await RunnerHarness.with { harness in
            let batch = RunnerHarness.batchID("ibv")
            let letters = try Self.temporaryDirectory()
            defer { try? FileManager.default.removeItem(at: letters) }
            for index in 1...6 {
                try await Self.insert(
                    harness, batch: batch, ref: index == 6 ? "../../escape/\(index)" : "applicant-\(index)",
                    instructions: Self.instructions(first: "Ada\(index)"))
            }
            // A non-In-Branch row in the same batch needs no follow-through.
            try await Self.insert(harness, batch: batch, ref: "plain", spec: TestSessionSpec.valid, instructions: nil)
            let summary = try await harness.run(harness.configuration(batch: batch))
            #expect(summary.exitCode == 0)
            let report = await Self.followThrough(harness, batch: batch, letters: letters, runID: summary.runID)
            #expect(report.exitCode == 0)
            #expect(report.states == ["letter_saved": 6, "not_needed": 1])

            let ledger = try await Self.ledger(harness, batch: batch)
            #expect(ledger["ibv_configuration/configured"] == 6)
            #expect(ledger["ibv_instructions/sent"] == 6)
            #expect(ledger["ibv_letter/letter_saved"] == 6)
            #expect(ledger.count == 4)  // and create_session/created

            let root = letters.standardizedFileURL.path + "/"
            for row in try await Self.followRows(harness, batch: batch) where row.ref != "plain" {
                #expect(row.status == "created" && row.state == "letter_saved" && row.error == nil)
                let path = try #require(row.path)
                #expect(URL(fileURLWithPath: path).standardizedFileURL.path.hasPrefix(root), "letter escaped: \(path)")
                #expect(!path.contains("/../"))
                let data = try Data(contentsOf: URL(fileURLWithPath: path))
                #expect(Int64(data.count) == row.bytes)
                #expect(SHA256Hex.hex(Array(data)) == row.sha)
                #expect(data.starts(with: Array("%PDF".utf8)))
                let mode = try FileManager.default.attributesOfItem(atPath: path)[.posixPermissions] as? Int
                #expect(mode == 0o600)
                let name = "Ada" + row.ref.split(separator: "/").last!.split(separator: "-").last!
                #expect(try Self.letterText(path).contains(name), "letter should name \(name)")
            }
        }
    }

    @Test("bad instruction data fails the step with the reason and sends nothing; the rest carry on")
    func badInstructions() async throws {
        try await RunnerHarness.with { harness in
            let batch = RunnerHarness.batchID("ibv-bad")
            let letters = try Self.temporaryDirectory()
            defer { try? FileManager.default.removeItem(at: letters) }
            try await Self.insert(harness, batch: batch, ref: "good", instructions: Self.instructions())
            try await Self.insert(
                harness, batch: batch, ref: "no-email", instructions: Self.instructions(email: "not-an-email"))
            // A national ID matches no requirement (the filter allows passports and driving licences).
            try await Self.insert(
                harness, batch: batch, ref: "no-match", instructions: Self.instructions(documentType: "NATIONAL_ID"))
            let summary = try await harness.run(harness.configuration(batch: batch))
            let report = await Self.followThrough(harness, batch: batch, letters: letters, runID: summary.runID)
            #expect(report.states == ["letter_saved": 1, "failed": 2])
            #expect(report.exitCode == 1)
            let rows = Dictionary(
                uniqueKeysWithValues: try await Self.followRows(harness, batch: batch).map { ($0.ref, $0) })
            #expect(rows["good"]?.state == "letter_saved")
            #expect(rows["no-email"]?.state == "failed")
            #expect(rows["no-email"]?.error?.contains("contact_profile.email") == true)
            #expect(rows["no-email"]?.error?.contains("not-an-email") == false)
            #expect(rows["no-match"]?.error?.contains("documents[0]") == true)
            let ledger = try await Self.ledger(harness, batch: batch)
            #expect(ledger["ibv_instructions/sent"] == 1)
            #expect(ledger["ibv_instructions/invalid_spec"] == 2)
        }
    }

    @Test("a 409 (session expired) is permanent for the step")
    func expiredIsPermanent() async throws {
        try await RunnerHarness.with { harness in
            let batch = RunnerHarness.batchID("ibv-409")
            let letters = try Self.temporaryDirectory()
            defer { try? FileManager.default.removeItem(at: letters) }
            try await Self.insert(harness, batch: batch, ref: "late", instructions: Self.instructions())
            let summary = try await harness.run(harness.configuration(batch: batch))
            harness.sandbox.advanceClock(by: .seconds(3600))
            let report = await Self.followThrough(harness, batch: batch, letters: letters, runID: summary.runID)
            #expect(report.states == ["failed": 1])
            let row = try #require(try await Self.followRows(harness, batch: batch).first)
            #expect(row.error?.contains("409") == true)
            let ledger = try await Self.ledger(harness, batch: batch)
            // The configuration GET already answers 409 (as Yoti): the row fails there, nothing is put.
            #expect(ledger["ibv_configuration/permanent"] == 1)
            #expect(ledger.keys.filter { $0.hasPrefix("ibv_instructions/") }.isEmpty, "\(ledger)")
        }
    }

    @Test("20% injected 500/503/429/resets on every IDV route: retried until every letter is saved, whole")
    func faultsRetried() async throws {
        try await RunnerHarness.with { harness in
            let batch = RunnerHarness.batchID("ibv-faults")
            let letters = try Self.temporaryDirectory()
            defer { try? FileManager.default.removeItem(at: letters) }
            var names: [String: String] = [:]
            for index in 1...40 {
                names["r\(index)"] = "Faulty\(index)"
                try await Self.insert(
                    harness, batch: batch, ref: "r\(index)", instructions: Self.instructions(first: "Faulty\(index)"))
            }
            var configuration = harness.configuration(batch: batch)
            configuration.maxAttempts = 20
            let summary = try await harness.run(configuration)
            #expect(summary.exitCode == 0)
            // 20% in all; a reset after the endpoint ran is an unknown outcome (the PUT may have landed).
            var behaviour = SandboxBehaviour.faulty(
                .init(
                    internalServerError: 0.08, serviceUnavailable: 0.05, tooManyRequests: 0.04,
                    resetAfterCreating: 0.03), seed: 7)
            behaviour.faultScope = .everyIDVRequest
            try harness.sandbox.setBehaviour(behaviour)
            var followConfiguration = harness.configuration(batch: batch, concurrency: 8)
            followConfiguration.maxAttempts = 20
            let report = await FollowThrough(
                configuration: followConfiguration, database: harness.pool, client: harness.client,
                delivery: .save(directory: letters), logger: RunnerHarness.logger(label: "test.ibv")
            ).execute(runID: summary.runID)
            #expect(report.states == ["letter_saved": 40])
            let ledger = try await Self.ledger(harness, batch: batch)
            #expect(ledger["ibv_instructions/sent"] == 40)
            try await InBranchInvariants.allLettersSaved(harness, batch: batch)
            try await InBranchInvariants.instructionsNeverRepeatedUnflagged(harness, batch: batch)
            try await InBranchInvariants.lettersWhole(harness, batch: batch, letters: letters, names: names)
            let retried = ledger.filter {
                $0.key.hasPrefix("ibv_") && !$0.key.hasSuffix("configured")
                    && !$0.key.hasSuffix("sent") && !$0.key.hasSuffix("letter_saved")
            }
            #expect(!retried.isEmpty, "the faults should have caused retries: \(ledger)")
        }
    }

    /// ``ibvSpec`` with notifications subscribing to `topics`.
    static func subscribedSpec(_ topics: [String]) -> JSONValue {
        JSONMergePatch.apply(
            [
                "notifications": [
                    "endpoint": "https://example.com/hook", "auth_token": "notification-secret-5e1f",
                    "topics": .array(topics.map { .string($0) }),
                ]
            ], to: ibvSpec)
    }

    static func followThrough(_ harness: RunnerHarness, batch: String, delivery: LetterDelivery, maxAttempts: Int = 5)
        async -> FollowThrough.Report
    {
        var configuration = harness.configuration(batch: batch, concurrency: 8)
        configuration.maxAttempts = maxAttempts
        return await FollowThrough(
            configuration: configuration, database: harness.pool, client: harness.client, delivery: delivery,
            logger: RunnerHarness.logger(label: "test.ibv")
        ).execute(runID: nil)
    }

    @Test("--letters email: the PUT emails nobody, one email request each; a subscribed spec is refused, then saved")
    func lettersByEmail() async throws {
        try await RunnerHarness.with { harness in
            let batch = RunnerHarness.batchID("ibv-email")
            let letters = try Self.temporaryDirectory()
            defer { try? FileManager.default.removeItem(at: letters) }
            try await Self.insert(
                harness, batch: batch, ref: "yoti-emails", spec: Self.subscribedSpec(["SESSION_COMPLETION"]),
                instructions: Self.instructions(email: "plain@example.com"))
            try await Self.insert(
                harness, batch: batch, ref: "we-deliver", spec: Self.subscribedSpec(["INSTRUCTIONS_EMAIL_REQUESTED"]),
                instructions: Self.instructions(email: "asked@example.com"))
            try await Self.insert(
                harness, batch: batch, ref: "no-notifications",
                instructions: Self.instructions(email: "none@example.com"))
            _ = try await harness.run(harness.configuration(batch: batch))
            let report = await Self.followThrough(harness, batch: batch, delivery: .email)
            #expect(report.states == ["emailed": 2, "failed": 1])
            #expect(report.render().contains("letters: Yoti asked to email"))
            let rows = Dictionary(
                uniqueKeysWithValues: try await Self.followRows(harness, batch: batch).map { ($0.ref, $0) })
            let refusal = try #require(rows["we-deliver"]?.error)
            #expect(refusal.contains("INSTRUCTIONS_EMAIL_REQUESTED") && refusal.contains("--letters DIR"), "\(refusal)")
            // One email each for the two Yoti may email, asked for once; none for the refused one, nothing put.
            let emails = harness.sandboxSessions().flatMap(\.lettersEmailed).map(\.to).sorted()
            #expect(emails == ["none@example.com", "plain@example.com"])
            var ledger = try await Self.ledger(harness, batch: batch)
            #expect(ledger["ibv_email/emailed"] == 2 && ledger["ibv_instructions/sent"] == 2)
            #expect(ledger["ibv_instructions/invalid_spec"] == 1)
            #expect(harness.sandbox.stats().lettersEmailed == 2)
            #expect(harness.sandboxSessions().map(\.instructionsPut).reduce(0, +) == 2)
            // status's emailed count is the email requests Yoti accepted.
            let status = try await BatchStatus(database: harness.pool).report(batchID: batch)
            #expect(status.batches.first?.followThrough.states["emailed"] == 2)

            // The firm delivers the refused one: rerun the follow-through with a letters directory.
            #expect(try await FollowThrough.requeueFailed(database: harness.pool, batches: [batch]) == 1)
            let saved = await Self.followThrough(harness, batch: batch, delivery: .save(directory: letters))
            #expect(saved.states == ["emailed": 2, "letter_saved": 1])
            let after = try await Self.followRows(harness, batch: batch).first { $0.ref == "we-deliver" }
            #expect(after?.state == "letter_saved" && after?.path != nil)
            #expect(harness.sandbox.stats().lettersEmailed == 2, "saving a letter emails nobody")
            ledger = try await Self.ledger(harness, batch: batch)
            #expect(ledger["ibv_letter/letter_saved"] == 1 && ledger["ibv_email/emailed"] == 2)
        }
    }

    @Test("a row without documents gets the one the configuration allows; with several allowed it fails naming why")
    func documentsFilledIn() async throws {
        try await RunnerHarness.with { harness in
            let batch = RunnerHarness.batchID("ibv-docs")
            let letters = try Self.temporaryDirectory()
            defer { try? FileManager.default.removeItem(at: letters) }
            let onePassport = Self.onePassportSpec
            let contactOnly: JSONValue = [
                "contact_profile": ["first_name": "Ada", "last_name": "Lovelace", "email": "ada@example.com"]
            ]
            try await Self.insert(harness, batch: batch, ref: "filled", spec: onePassport, instructions: contactOnly)
            try await Self.insert(harness, batch: batch, ref: "ambiguous", instructions: contactOnly)
            _ = try await harness.run(harness.configuration(batch: batch))
            let report = await Self.followThrough(harness, batch: batch, delivery: .save(directory: letters))
            #expect(report.states == ["letter_saved": 1, "failed": 1])
            let rows = Dictionary(
                uniqueKeysWithValues: try await Self.followRows(harness, batch: batch).map { ($0.ref, $0) })
            let letter = try Self.letterText(try #require(rows["filled"]?.path))
            #expect(letter.contains("Bring: PASSPORT GBR"), "the letter should say what to bring: \(letter)")
            let put = harness.sandboxSessions().compactMap(\.instructions).first
            #expect(put?["documents"]?[0]?["document"]?["document_type"]?.stringValue == "PASSPORT")
            let error = try #require(rows["ambiguous"]?.error)
            #expect(error.contains("has no document and the configuration allows several"), "\(error)")
            #expect(error.contains("PASSPORT, DRIVING_LICENCE") && error.contains("document_type"), "\(error)")
            let requirement = try #require(
                harness.sandboxSessions().first { $0.instructions == nil }?.requirements.first?.id)
            #expect(error.contains(requirement), "the error names the requirement: \(error)")
        }
    }

    @Test("--dry-run refuses In-Branch rows with no document among several, and subscribed rows with email")
    func dryRunChecksLetters() async throws {
        try await RunnerHarness.with { harness in
            let batch = RunnerHarness.batchID("ibv-dry")
            let contactOnly: JSONValue = [
                "contact_profile": ["first_name": "Ada", "last_name": "Lovelace", "email": "ada@example.com"]
            ]
            try await Self.insert(harness, batch: batch, ref: "fine", instructions: Self.instructions())
            try await Self.insert(harness, batch: batch, ref: "no-document", instructions: contactOnly)
            try await Self.insert(
                harness, batch: batch, ref: "revoked", spec: Self.subscribedSpec(["INSTRUCTIONS_EMAIL_REQUESTED"]),
                instructions: Self.instructions())
            var configuration = harness.configuration(batch: batch)
            configuration.followThrough = .email
            let report = try await Runner.dryRun(configuration: configuration, database: harness.pool)
            #expect(report.rowsValid == 1 && report.rowsInvalid == 2)
            let problems = Dictionary(uniqueKeysWithValues: report.problems.map { ($0.externalRef, $0.problems) })
            #expect(
                problems["no-document"]?.first?.contains("has no document and the configuration allows several") == true
            )
            #expect(problems["revoked"]?.first?.contains("INSTRUCTIONS_EMAIL_REQUESTED") == true)
            configuration.followThrough = .save(directory: URL(fileURLWithPath: "/srv/letters"))
            let saving = try await Runner.dryRun(configuration: configuration, database: harness.pool)
            #expect(saving.rowsValid == 2 && saving.problems.map(\.externalRef) == ["no-document"])
            #expect(try await harness.statusCounts(batch: batch) == ["pending": 3], "a dry run changes nothing")
        }
    }

    @Test("a NEW_PDF_SUPPLIED or INSTRUCTIONS_EMAIL_REQUESTED notification: the next sync saves the new letter")
    func letterFetchedAgainWhenNotified() async throws {
        try await RunnerHarness.with { harness in
            let batch = RunnerHarness.batchID("ibv-newpdf")
            let letters = try Self.temporaryDirectory()
            defer { try? FileManager.default.removeItem(at: letters) }
            let spec = Self.subscribedSpec(["INSTRUCTIONS_EMAIL_REQUESTED", "NEW_PDF_SUPPLIED"])
            for ref in ["changed", "unchanged"] {
                try await Self.insert(harness, batch: batch, ref: ref, spec: spec, instructions: Self.instructions())
            }
            _ = try await harness.run(harness.configuration(batch: batch))
            #expect(
                await Self.followThrough(harness, batch: batch, delivery: .save(directory: letters)).states == [
                    "letter_saved": 2
                ])
            let before = try #require(try await Self.followRows(harness, batch: batch).first { $0.ref == "changed" })
            let sessionID = try #require(
                try await harness.pool.query(
                    "SELECT session_id FROM idv.verification_requests WHERE batch_id = $1 AND external_ref = 'changed'",
                    [.text(batch)]
                ).first?.decode(String.self, "session_id"))
            // The instructions change at Yoti (a new letter), and Yoti says so; the receiver stores it.
            let requirements = harness.sandbox.session(id: sessionID)?.requirements ?? []
            guard
                case .body(let body) = InstructionsPlan.body(
                    instructions: Self.instructions(first: "Grace"), defaults: nil,
                    requirements: requirements.map { IBVRequirement(id: $0.id, type: $0.type, filter: $0.filter) })
            else {
                Issue.record("the new instructions should be valid")
                return
            }
            try await harness.client.putInstructions(sessionID: sessionID, body)
            for topic in ["new_pdf_supplied", "instructions_email_requested"] {
                _ = try await harness.pool.query(
                    "INSERT INTO idv.notifications (session_id, topic, body) VALUES ($1, $2, '{}'::jsonb)",
                    [.text(sessionID), .text(topic)])
            }
            // `sync` without --letters DIR leaves letters alone; with it, the notified letter is fetched again.
            func sync(letters directory: URL?) async throws -> FollowThrough.Report? {
                let outcome = try await ResultSyncRun(
                    configuration: harness.configuration(batch: batch), database: harness.pool,
                    fetcher: harness.client, staleAfter: .seconds(3600),
                    letters: directory.map { ($0, harness.client) }, logger: RunnerHarness.logger(label: "test.ibv")
                ).execute()
                #expect(outcome.report.stopReason == .completed)
                return outcome.letters
            }
            #expect(try await sync(letters: nil) == nil)
            #expect(try await Self.followRows(harness, batch: batch).first { $0.ref == "changed" }?.sha == before.sha)
            let refreshed = try #require(try await sync(letters: letters))
            #expect(refreshed.lettersRefetched == 1 && refreshed.states == ["letter_saved": 2])
            let after = try #require(try await Self.followRows(harness, batch: batch).first { $0.ref == "changed" })
            #expect(after.path == before.path && after.sha != before.sha)
            #expect(try Self.letterText(try #require(after.path)).contains("Grace"))
            try await InBranchInvariants.lettersWhole(harness, batch: batch, letters: letters, names: [:])
            let ledger = try await Self.ledger(harness, batch: batch)
            #expect(ledger["ibv_letter/letter_saved"] == 3)
            // Answered: the next sync fetches nothing; and nobody was emailed.
            #expect(try await sync(letters: letters)?.lettersRefetched == 0)
            // Yoti says so again (the receiver counts a replay and moves last_received_at): the follow-through
            // with --letters DIR fetches it too.
            _ = try await harness.pool.query(
                """
                UPDATE idv.notifications SET last_received_at = now(), received_count = received_count + 1
                WHERE session_id = $1 AND topic = 'new_pdf_supplied'
                """, [.text(sessionID)])
            let followed = await Self.followThrough(harness, batch: batch, delivery: .save(directory: letters))
            #expect(followed.lettersRefetched == 1 && followed.states == ["letter_saved": 2])
            #expect(followed.render().contains("letters fetched again"))
            #expect(try await Self.ledger(harness, batch: batch)["ibv_letter/letter_saved"] == 4)
            #expect(harness.sandbox.stats().lettersEmailed == 0)
        }
    }

    @Test("--letters email through 20% faults on every route: one accepted email each, repeats only when flagged")
    func emailFaultsRetried() async throws {
        try await RunnerHarness.with { harness in
            let batch = RunnerHarness.batchID("ibv-email-faults")
            for index in 1...40 {
                try await Self.insert(
                    harness, batch: batch, ref: "r\(index)",
                    instructions: Self.instructions(email: "r\(index)@example.com"))
            }
            _ = try await harness.run(harness.configuration(batch: batch))
            var behaviour = SandboxBehaviour.faulty(
                .init(
                    internalServerError: 0.08, serviceUnavailable: 0.05, tooManyRequests: 0.04,
                    resetAfterCreating: 0.03), seed: 11)
            behaviour.faultScope = .everyIDVRequest
            try harness.sandbox.setBehaviour(behaviour)
            let report = await Self.followThrough(harness, batch: batch, delivery: .email, maxAttempts: 20)
            #expect(report.states == ["emailed": 40])
            let routes = try await InBranchInvariants.oneLetterByOneRoute(harness, batch: batch, letters: nil)
            #expect(routes.emailed == 40 && routes.saved == 0)
        }
    }

    @Test("rows a dead worker of the other letter step still holds are handed back and delivered by this run's route")
    func otherLetterStepReclaimed() async throws {
        try await RunnerHarness.with { harness in
            let batch = RunnerHarness.batchID("ibv-switch")
            let letters = try Self.temporaryDirectory()
            defer { try? FileManager.default.removeItem(at: letters) }
            for index in 1...3 {
                try await Self.insert(harness, batch: batch, ref: "r\(index)", instructions: Self.instructions())
            }
            _ = try await harness.run(harness.configuration(batch: batch))
            #expect(
                await Self.followThrough(harness, batch: batch, delivery: .save(directory: letters)).states == [
                    "letter_saved": 3
                ])
            // As if an `--letters email` worker had died holding them mid-request, its lease run out.
            _ = try await harness.pool.query(
                """
                UPDATE idv.verification_requests
                SET instructions_status = 'sent', lease_operation = 'ibv_email', lease_owner = 'gone-worker',
                    lease_token = nextval('idv.lease_fence'), lease_worker = NULL,
                    lease_expires_at = now() - interval '1 minute'
                WHERE batch_id = $1
                """, [.text(batch)])
            let report = await Self.followThrough(harness, batch: batch, delivery: .save(directory: letters))
            #expect(report.states == ["letter_saved": 3], "\(report.render())")
            #expect(report.calls["ibv_letter"] == 3)
            let rows = try await harness.pool.query(
                "SELECT count(*) AS n FROM idv.verification_requests WHERE batch_id = $1 AND lease_operation IS NULL",
                [.text(batch)])
            #expect(try rows[0].decode(Int.self, "n") == 3)
        }
    }

    @Test("`run` with follow-through: creation then letters in one run; a second run sends nothing again")
    func runFollowsThrough() async throws {
        try await RunnerHarness.with { harness in
            let batch = RunnerHarness.batchID("ibv-run")
            let letters = try Self.temporaryDirectory()
            defer { try? FileManager.default.removeItem(at: letters) }
            for index in 1...4 {
                try await Self.insert(harness, batch: batch, ref: "r\(index)", instructions: Self.instructions())
            }
            var configuration = harness.configuration(batch: batch)
            configuration.followThrough = .save(directory: letters)
            let runner = Runner(
                configuration: configuration, database: harness.pool, sessions: harness.recorder,
                instructions: harness.client, logger: RunnerHarness.logger(label: "test.ibv"))
            let summary = try await runner.execute()
            #expect(summary.exitCode == 0)
            #expect(summary.followThrough?.states == ["letter_saved": 4])
            #expect(summary.render().contains("In-Branch follow-through"))
            let again = try await runner.execute()
            #expect(again.followThrough?.calls.values.reduce(0, +) ?? 0 == 0)
            let ledger = try await Self.ledger(harness, batch: batch)
            #expect(ledger["ibv_instructions/sent"] == 4 && ledger["ibv_configuration/configured"] == 4)
            let status = try await BatchStatus(database: harness.pool).report(batchID: batch)
            #expect(status.batches.first?.followThrough.lettersSaved == 4)
            #expect(status.batches.first?.sessions.createdInLedger == 4)
        }
    }

    @Test("--retry-failed requeues a failed follow-through at the step it failed; fixed data then goes through")
    func requeueAfterFix() async throws {
        try await RunnerHarness.with { harness in
            let batch = RunnerHarness.batchID("ibv-fix")
            let letters = try Self.temporaryDirectory()
            defer { try? FileManager.default.removeItem(at: letters) }
            try await Self.insert(harness, batch: batch, ref: "fixme", instructions: Self.instructions(email: "nope"))
            let summary = try await harness.run(harness.configuration(batch: batch))
            #expect(
                await Self.followThrough(harness, batch: batch, letters: letters, runID: summary.runID).states == [
                    "failed": 1
                ])
            _ = try await harness.pool.query(
                "UPDATE idv.verification_requests SET ibv_instructions = $2::jsonb WHERE batch_id = $1",
                [.text(batch), .jsonb(Self.instructions().jsonString())])
            #expect(try await FollowThrough.requeueFailed(database: harness.pool, batches: [batch]) == 1)
            let report = await Self.followThrough(harness, batch: batch, letters: letters, runID: nil)
            #expect(report.states == ["letter_saved": 1])
            #expect(report.calls["ibv_configuration"] == 0)  // resumed at the instructions, not from the start
        }
    }

    /// The letter's text: `pdftotext` when installed, else the raw bytes (the sandbox writes plain text streams).
    static func letterText(_ path: String) throws -> String {
        let candidates = ["/usr/bin/pdftotext", "/usr/local/bin/pdftotext"]
        if let tool = candidates.first(where: FileManager.default.isExecutableFile(atPath:)) {
            let process = Process()
            process.executableURL = URL(fileURLWithPath: tool)
            process.arguments = [path, "-"]
            let pipe = Pipe()
            process.standardOutput = pipe
            try process.run()
            let data = pipe.fileHandleForReading.readDataToEndOfFile()
            process.waitUntilExit()
            return String(decoding: data, as: UTF8.self)
        }
        return String(decoding: try Data(contentsOf: URL(fileURLWithPath: path)), as: UTF8.self)
    }
}
