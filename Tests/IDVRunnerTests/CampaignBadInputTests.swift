import Foundation
import PostgresClient
import TestSupport
import Testing
import YotiAPI
import YotiSandbox

@testable import IDVRunner

#if canImport(Glibc)
    import Glibc
#endif

/// Campaign 6: the bad-input corpus. Each case is one `idv-batch` invocation with one thing
/// wrong; it must exit with the documented code, name the problem and the fix, never crash or trap,
/// lose no row, and (at debug level where the command logs) print no key material.
///
/// Also covered elsewhere, for detail: usage errors (`OperationsCommandTests.usageErrorsExitTwo`), a
/// CSV without external_ref and stdin without --format (`enqueueExitCodes`), bad job files and times
/// (`expireExitCodes`), unknown batches (`rerunExitCodes`, `statusCommand`), invalid configs
/// (`configsCommands`), per-line enqueue validation (`EnqueuerTests`), a 401 stopping the run in
/// process (`RunnerEndToEndTests.credentialsStopTheRun`).
@Suite("Campaign: bad input corpus", .serialized)
struct CampaignBadInputTests {
    /// One bad input: the command (placeholders filled per case), what must come out.
    struct Case: Sendable, CustomTestStringConvertible {
        var name: String
        var arguments: [String]
        /// Environment changes over a working setup (`nil` removes the variable).
        var environment: [String: String?] = [:]
        /// The input file's bytes and suffix, for `$FILE`.
        var file: (bytes: [UInt8], suffix: String)?
        var sandboxAcceptsKey = true
        var exit: Int32
        /// Words the output must contain: the problem, and the fix.
        var words: [String]
        /// Rows of the case's batch after the command (5 are there for `run` cases).
        var rowsAfter: Int? = nil
        var testDescription: String { name }
    }

    static let batch = "corpus"
    static func jsonl(_ text: String) -> (bytes: [UInt8], suffix: String) { (Array(text.utf8), ".jsonl") }
    static func csv(_ text: String) -> (bytes: [UInt8], suffix: String) { (Array(text.utf8), ".csv") }
    static let enqueue = ["enqueue", "--batch", batch, "--config", "standard", "$FILE"]
    static let run = ["run", "--batch", batch, "--api-url", "$API", "--concurrency", "4", "--log-level", "debug"]
    static let valid = #"{"external_ref": "good-1"}"# + "\n"
    /// A database password in a malformed URL: scanned for in every output below.
    static let urlPassword = "corpus-db-pass-8d1f"

    static let cases: [Case] = [
        // Input files.
        Case(
            name: "malformed JSON line", arguments: enqueue, file: jsonl(valid + #"{"external_ref": "x""# + "\n"),
            exit: 1, words: ["line 2", "JSON"], rowsAfter: 1),
        Case(
            name: "malformed CSV (unterminated quote)", arguments: enqueue,
            file: csv("external_ref,given_names\ngood-1,Ada\n\"bad,Bob\n"), exit: 1, words: ["quote"], rowsAfter: 1),
        Case(
            name: "wrong type: external_ref a number", arguments: enqueue,
            file: jsonl(valid + #"{"external_ref": 42}"# + "\n"),
            exit: 1, words: ["line 2", "external_ref", "string"], rowsAfter: 1),
        Case(
            name: "wrong type: session_spec a string", arguments: enqueue,
            file: jsonl(valid + #"{"external_ref": "b", "session_spec": "ttl=900"}"# + "\n"),
            exit: 1, words: ["line 2", "session_spec", "object"], rowsAfter: 1),
        Case(
            name: "wrong type: CSV address_format not a number", arguments: enqueue,
            file: csv("external_ref,address_format,country_iso\ngood-1,1,GBR\nb,first,GBR\n"),
            exit: 1, words: ["line 3", "address_format"], rowsAfter: 1),
        // An open vocabulary: Yoti may have added the value, so it is loaded with a warning; --strict refuses it.
        Case(
            name: "unknown value of an open vocabulary (requested check type): loaded with a warning",
            arguments: enqueue,
            file: jsonl(
                valid + #"{"external_ref": "b", "session_spec": {"requested_checks": [{"type": "NOT_A_CHECK"}]}}"#
                    + "\n"),
            exit: 0, words: ["NOT_A_CHECK", "loaded anyway"], rowsAfter: 2),
        Case(
            name: "unknown value of an open vocabulary with --strict: refused with its path",
            arguments: ["enqueue", "--strict", "--batch", batch, "--config", "standard", "$FILE"],
            file: jsonl(
                valid + #"{"external_ref": "b", "session_spec": {"requested_checks": [{"type": "NOT_A_CHECK"}]}}"#
                    + "\n"),
            exit: 1, words: ["line 2", "requested_checks[0].type", "NOT_A_CHECK"], rowsAfter: 1),
        Case(
            name: "unknown key in a JSON line", arguments: enqueue,
            file: jsonl(valid + #"{"external_ref": "b", "emial": "x@example.com"}"# + "\n"),
            exit: 1, words: ["line 2", "emial"], rowsAfter: 1),
        Case(
            name: "TTL too low", arguments: enqueue,
            file: jsonl(valid + #"{"external_ref": "b", "session_spec": {"client_session_token_ttl": 30}}"# + "\n"),
            exit: 1, words: ["line 2", "client_session_token_ttl"], rowsAfter: 1),
        Case(
            name: "TTL at the integer limit (trapped the validator before the fix)", arguments: enqueue,
            file: jsonl(
                valid + #"{"external_ref": "b", "session_spec": {"client_session_token_ttl": 9223372036854775807}}"#
                    + "\n"),
            exit: 1, words: ["line 2", "resources_ttl"], rowsAfter: 1),
        Case(
            name: "oversized field (a 10 MB spec)", arguments: enqueue,
            file: jsonl(
                valid + #"{"external_ref": "big", "session_spec": {"resources": {"applicant_profile": {"full_name": ""#
                    + String(repeating: "A", count: 10 << 20) + "\"}}}}\n"),
            exit: 1, words: ["line 2", "--max-line-bytes"], rowsAfter: 1),
        Case(
            name: "invalid UTF-8 in the input file", arguments: enqueue,
            file: (
                Array(valid.utf8) + Array(#"{"external_ref": "caf"#.utf8) + [0xC3, 0x28] + Array("\"}\n".utf8), ".jsonl"
            ),
            exit: 1, words: ["line 2", "UTF-8"], rowsAfter: 1),
        Case(
            name: "unknown config name",
            arguments: ["enqueue", "--batch", batch, "--config", "no-such-config", "$FILE"],
            file: jsonl(valid), exit: 2, words: ["no-such-config", "configs push"], rowsAfter: 0),
        Case(
            name: "unknown config name in a row", arguments: enqueue,
            file: jsonl(valid + #"{"external_ref": "b", "config_name": "no-such-config"}"# + "\n"),
            exit: 1, words: ["line 2", "no-such-config", "configs push"], rowsAfter: 1),
        Case(
            name: "CSV with an unknown column", arguments: enqueue, file: csv("external_ref,phone\na,+441234567890\n"),
            exit: 2, words: ["phone", "--ignore-column"], rowsAfter: 0),
        // Credentials and connections (5 pending rows wait in the batch).
        Case(
            name: "missing key file", arguments: run, environment: ["YOTI_KEY_FILE_PATH": "/nonexistent/key.pem"],
            exit: 2, words: ["/nonexistent/key.pem", "YOTI_KEY_FILE_PATH"], rowsAfter: 5),
        Case(
            name: "no key file configured", arguments: run, environment: ["YOTI_KEY_FILE_PATH": nil],
            exit: 2, words: ["--key-file", "YOTI_KEY_FILE_PATH"], rowsAfter: 5),
        Case(
            name: "unreadable key file (a directory)", arguments: run, environment: ["YOTI_KEY_FILE_PATH": "/tmp"],
            exit: 2, words: ["/tmp", "directory", "YOTI_KEY_FILE_PATH"], rowsAfter: 5),
        Case(
            name: "wrong key file (not a PEM key)", arguments: run, environment: ["YOTI_KEY_FILE_PATH": "$FILE"],
            file: (Array("this is not a key\n".utf8), ".pem"), exit: 2, words: ["not a PEM private key", "BEGIN"],
            rowsAfter: 5),
        Case(
            name: "key file others may read (0644)", arguments: run, environment: ["YOTI_KEY_FILE_PATH": "$OPENKEY"],
            exit: 2, words: ["$OPENKEY", "may be read by others", "chmod 600", "defaultMode: 0400"], rowsAfter: 5),
        Case(
            name: "another application's key (sandbox 401)", arguments: run, sandboxAcceptsKey: false,
            exit: 3, words: ["401", "YOTI_KEY_FILE_PATH"], rowsAfter: 5),
        Case(
            name: "wrong SDK id (sandbox 401)", arguments: run, environment: ["YOTI_CLIENT_SDK_ID": "not-our-sdk-id"],
            exit: 3, words: ["401", "YOTI_CLIENT_SDK_ID"], rowsAfter: 5),
        Case(
            name: "unreachable database", arguments: run,
            environment: ["DATABASE_URL": "postgresql://postgres@127.0.0.1:$CLOSED/idv"],
            exit: 3, words: ["127.0.0.1", "DATABASE_URL"]),
        Case(
            name: "invalid database URL (password not echoed: leaked before the fix)", arguments: run,
            environment: ["DATABASE_URL": "postgresql://idv:\(urlPassword)@[db/idv"],
            exit: 2, words: ["connection string is invalid", "postgres://user@host:5432/dbname"]),
        Case(
            name: "unreachable API (each row failed with the reason, re-runnable)",
            arguments: [
                "run", "--batch", batch, "--api-url", "http://127.0.0.1:$CLOSED/idverify/v1", "--max-attempts", "1",
                "--log-level", "debug",
            ],
            exit: 1, words: ["could not reach Yoti", "base URL"], rowsAfter: 5),
        Case(
            name: "API URL with an unsupported scheme",
            arguments: ["run", "--batch", batch, "--api-url", "ftp://127.0.0.1/x"],
            exit: 2, words: ["ftp"], rowsAfter: 5),
        Case(
            name: "database without the schema (run)", arguments: run, environment: ["DATABASE_URL": "$EMPTYDB"],
            exit: 3, words: ["idv-batch migrate"]),
        Case(
            name: "database without the schema (status)", arguments: ["status"],
            environment: ["DATABASE_URL": "$EMPTYDB"],
            exit: 3, words: ["idv-batch migrate"]),
        Case(
            name: "database without the schema (enqueue)", arguments: enqueue,
            environment: ["DATABASE_URL": "$EMPTYDB"],
            file: jsonl(valid), exit: 3, words: ["idv-batch migrate"]),
        Case(
            name: "malformed session config file", arguments: ["configs", "push", "$FILE", "--name", "broken"],
            file: (Array("{\"client_session_token_ttl\": ".utf8), ".json"), exit: 2, words: ["JSON"]),
        Case(
            name: "malformed job file", arguments: ["run", "--job", "$FILE"],
            file: (Array("run: [concurrency: 4\n".utf8), ".yml"),
            exit: 2, words: ["$FILE"]),
    ]

    @Test(
        "each bad input: documented exit code, an error naming the problem and the fix, no crash, nothing lost",
        arguments: cases)
    func badInput(_ bad: Case) async throws {
        try await RunnerHarness.with(sandboxAcceptsKey: bad.sandboxAcceptsKey) { harness in
            try await harness.addConfiguration(name: "standard", spec: TestSessionSpec.valid)
            if bad.arguments.first == "run" { try await harness.enqueue(batch: Self.batch, count: 5) }
            var cleanup: [String] = []
            var emptyDatabase: PostgresConfiguration?
            let refusing = try RefusingPort()
            defer { withExtendedLifetime(refusing) {} }
            defer { for path in cleanup { try? FileManager.default.removeItem(atPath: path) } }
            var substitutions = [
                "$API": harness.sandbox.idvBaseURL, "$CLOSED": String(refusing.port),
                "$DB": harness.postgres.unredactedConnectionString,
            ]
            if let file = bad.file {
                let path = try MigratedDatabase.temporaryFile(file.bytes, suffix: file.suffix)
                cleanup.append(path)
                // Owner-only, as a key file must be (an input file may be, too).
                _ = chmod(path, 0o600)
                substitutions["$FILE"] = path
            }
            if bad.environment.values.contains("$OPENKEY") {
                // The right key, in a file its group and others may read.
                let path = try MigratedDatabase.temporaryFile(
                    Array(try Data(contentsOf: URL(fileURLWithPath: SharedPaths.ownerOnlyTestKey))), suffix: ".pem")
                cleanup.append(path)
                _ = chmod(path, 0o644)
                substitutions["$OPENKEY"] = path
            }
            if bad.environment.values.contains("$EMPTYDB") {
                let empty = try await TestDatabase.createEmpty(prefix: "idv_corpus")
                emptyDatabase = empty
                substitutions["$EMPTYDB"] = empty.unredactedConnectionString
            }
            func fill(_ text: String) -> String {
                substitutions.reduce(text) { $0.replacingOccurrences(of: $1.key, with: $1.value) }
            }
            var environment = [
                "DATABASE_URL": harness.postgres.unredactedConnectionString, "YOTI_CLIENT_SDK_ID": RunnerHarness.sdkID,
                "YOTI_KEY_FILE_PATH": SharedPaths.ownerOnlyTestKey,
            ]
            for (key, value) in bad.environment { environment[key] = value.map(fill) }
            let result = try await IDVBatchProcess.run(bad.arguments.map(fill), environment: environment)
            if let emptyDatabase { await TestDatabase.drop(emptyDatabase) }

            #expect(result.status == bad.exit, "\(bad.name): \(result.output.suffix(3_000))")
            #expect(
                result.status < 128 && !result.output.contains("Fatal error"),
                "\(bad.name) crashed: \(result.output.suffix(3_000))")
            for word in bad.words.map(fill) {
                #expect(
                    result.output.contains(word),
                    "\(bad.name): the error should say \"\(word)\": \(result.output.suffix(3_000))")
            }
            if let rowsAfter = bad.rowsAfter {
                try await CampaignInvariants.check(
                    harness, batch: Self.batch, expectedRows: rowsAfter, campaign: "bad-input: \(bad.name)",
                    injected: bad.name, announce: false)
            }
            var scanner = try SecretScanner(keyFile: SharedPaths.ownerOnlyTestKey)
            scanner.add("database password", Self.urlPassword)
            scanner.expectClean([(bad.name, result.output)], campaign: "bad-input", announce: false)
        }
    }

    @Test("SQL metacharacters and quotes in external_ref and the batch id load, run and round-trip unchanged")
    func sqlMetacharactersRoundTrip() async throws {
        try await RunnerHarness.with { harness in
            try await harness.addConfiguration(name: "standard", spec: TestSessionSpec.valid)
            let batch = #"b'; DROP TABLE idv.attempts; --"quoted" \ $1 %_"#
            let references = [
                #"o'brien"#, #"x"; DELETE FROM idv.verification_requests; --"#, #"back\slash $1 %_ 'q'"#, "ünï cödé ✓",
            ]
            let lines = try references.map { reference in
                String(decoding: try JSONSerialization.data(withJSONObject: ["external_ref": reference]), as: UTF8.self)
            }
            let file = try MigratedDatabase.temporaryFile(lines.joined(separator: "\n") + "\n", suffix: ".jsonl")
            defer { try? FileManager.default.removeItem(atPath: file) }
            let environment = [
                "DATABASE_URL": harness.postgres.unredactedConnectionString, "YOTI_CLIENT_SDK_ID": RunnerHarness.sdkID,
                "YOTI_KEY_FILE_PATH": SharedPaths.ownerOnlyTestKey,
            ]
            let loaded = try await IDVBatchProcess.run(
                ["enqueue", "--batch", batch, "--config", "standard", file], environment: environment)
            #expect(loaded.status == 0, "\(loaded.output)")
            let run = try await IDVBatchProcess.run(
                ["run", "--batch", batch, "--api-url", harness.sandbox.idvBaseURL], environment: environment)
            #expect(run.status == 0, "\(run.output)")
            let rows = try await harness.rows(batch: batch)
            #expect(Set(rows.map(\.externalRef)) == Set(references))
            #expect(rows.allSatisfy { $0.status == "created" })
            // Sent unchanged as user_tracking_id, too.
            #expect(Set(harness.sandboxSessions().compactMap(\.userTrackingID)) == Set(references))
            let status = try await IDVBatchProcess.run(
                ["status", batch, "--json"], environment: environment)
            #expect(status.status == 0, "\(status.output)")
            #expect(try JSONValue(jsonString: status.output)["batches"]?[0]?["batch_id"] == .string(batch))
            try await CampaignInvariants.check(
                harness, batch: batch, expectedRows: references.count, campaign: "bad-input: SQL metacharacters",
                injected: "quotes", announce: false)
        }
    }
}
