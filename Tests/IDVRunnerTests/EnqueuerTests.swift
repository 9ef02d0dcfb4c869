import Foundation
import PostgresClient
import Synchronization
import TestSupport
import Testing
import YotiAPI

@testable import IDVRunner

/// `enqueue` against a real PostgreSQL: formats, mapping, idempotency and bad input.
@Suite("Enqueuer (PostgreSQL)")
struct EnqueuerTests {
    @Test("JSON Lines load with config, patch and full spec; loading the same file again adds nothing")
    func jsonLinesIdempotent() async throws {
        try await MigratedDatabase.with { database in
            try await database.addConfiguration("standard")
            let lines = [
                #"{"external_ref": "p-1"}"#,
                #"{"external_ref": "p-2", "session_spec": {"resources": {"applicant_profile": {"given_names": "Ada"}}}}"#,
                "",
                #"{"external_ref": "p-3", "config_name": null, "session_spec": \#(TestSessionSpec.valid.jsonString())}"#,
                "   ",
            ]
            let text = lines.joined(separator: "\n")
            let first = try await database.enqueue(text, batch: "b", config: "standard") { $0.batchSize = 2 }
            #expect(first.rowsRead == 3 && first.inserted == 3 && first.alreadyPresent == 0 && first.rejectedCount == 0)
            #expect(first.exitCode == 0)
            let second = try await database.enqueue(text, batch: "b", config: "standard")
            #expect(second.inserted == 0 && second.alreadyPresent == 3 && second.exitCode == 0)

            let rows = try await database.storedRows(batch: "b")
            #expect(rows.count == 3)
            #expect(rows["p-1"]?.config == "standard" && rows["p-1"]?.spec == nil)
            #expect(rows["p-2"]?.spec?["resources"]?["applicant_profile"]?["given_names"] == "Ada")
            // A row with null config_name takes --config; its session_spec is stored as given.
            #expect(rows["p-3"]?.config == "standard" && rows["p-3"]?.spec == TestSessionSpec.valid)
            #expect(try await database.count("SELECT 1 FROM idv.batches WHERE batch_id = 'b'") == 1)
        }
    }

    @Test(
        "CSV columns map into the IBV applicant profile, user_tracking_id and spec.<path>; quoted fields keep commas, quotes and line breaks"
    )
    func csvMapping() async throws {
        try await MigratedDatabase.with { database in
            try await database.addConfiguration("ibv")
            let csv = """
                External_Ref,given_names,family_name,date_of_birth,address_format,building_number,address_line1,town_city,postal_code,country_iso,user_tracking_id,spec.sdk_config.locale,spec.block_biometric_consent,spec.client_session_token_ttl,config_name\r
                e-1,"Ada, Augusta",King,1815-12-10,1,12,"1 ""Quoted"" Street",London,"01234",GBR,track-1,en-GB,true,900,\r
                e-2,Bob,"Multi
                Line",1990-01-02,,,,,,,,,,,ibv
                """
            let report = try await database.enqueue(csv, batch: "csv", format: .csv, config: "ibv")
            #expect(report.inserted == 2 && report.rejectedCount == 0, "\(report.render())")
            let rows = try await database.storedRows(batch: "csv")
            let first = try #require(rows["e-1"]?.spec)
            let profile = try #require(first["resources"]?["applicant_profile"])
            #expect(profile["given_names"] == "Ada, Augusta")
            #expect(profile["family_name"] == "King")
            #expect(profile["date_of_birth"] == "1815-12-10")
            let address = try #require(profile["structured_postal_address"])
            #expect(address["address_format"] == .integer(1))
            #expect(address["building_number"] == "12")  // mapped columns stay text
            #expect(address["address_line1"] == "1 \"Quoted\" Street")
            #expect(address["postal_code"] == "01234")
            #expect(address["country_iso"] == "GBR")
            #expect(first["user_tracking_id"] == "track-1")
            #expect(first["sdk_config"]?["locale"] == "en-GB")
            #expect(first["block_biometric_consent"] == .bool(true))
            #expect(first["client_session_token_ttl"] == .integer(900))
            let second = try #require(rows["e-2"]?.spec)
            #expect(second["resources"]?["applicant_profile"]?["family_name"] == "Multi\nLine")
            #expect(second["resources"]?["applicant_profile"]?["structured_postal_address"] == nil)
            #expect(rows["e-2"]?.config == "ibv")
        }
    }

    @Test("a CSV without an external_ref column is refused up front, naming the columns; nothing is inserted")
    func csvMissingExternalRef() async throws {
        try await MigratedDatabase.with { database in
            try await database.addConfiguration("standard")
            let error = await #expect(throws: OperationError.self) {
                try await database.enqueue("ref,given_names\nx,Ada\n", batch: "b", format: .csv, config: "standard")
            }
            #expect(error?.code == .usage)
            #expect(error?.message.contains("no external_ref column") == true, "\(String(describing: error))")
            #expect(try await database.count("SELECT 1 FROM idv.verification_requests") == 0)
        }
    }

    @Test("unknown CSV columns are refused naming them and the accepted ones; --ignore-column skips one")
    func csvUnknownColumns() async throws {
        try await MigratedDatabase.with { database in
            try await database.addConfiguration("standard")
            let csv = "external_ref,surname,email\nx,King,a@example.com\n"
            let error = await #expect(throws: OperationError.self) {
                try await database.enqueue(csv, batch: "b", format: .csv, config: "standard")
            }
            let message = error?.message ?? ""
            #expect(
                message.contains("\"surname\"") && message.contains("given_names")
                    && message.contains("spec.<dotted.path>"))
            #expect(message.contains("email"))
            let report = try await database.enqueue(csv, batch: "b", format: .csv, config: "standard") {
                $0.ignoredColumns = ["surname", "EMAIL"]
            }
            #expect(report.inserted == 1)
        }
    }

    @Test("bad lines are rejected with line numbers and reasons; valid lines still load; exit code 1")
    func badLines() async throws {
        try await MigratedDatabase.with { database in
            try await database.addConfiguration("standard")
            var bytes = Array(#"{"external_ref": "ok-1"}"#.utf8) + [0x0A]
            bytes += Array(#"["not", "an", "object"]"#.utf8) + [0x0A]  // line 2
            bytes += Array(#"{"external_ref": "x", "config_name": "nope"}"#.utf8) + [0x0A]  // line 3
            bytes += Array(#"{"external_ref": "bad-"#.utf8) + [0xFF, 0xFE] + Array(#""}"#.utf8) + [0x0A]  // line 4
            bytes += Array(#"{"external_ref": 12}"#.utf8) + [0x0A]  // line 5
            bytes += Array(#"{"external_ref": ""}"#.utf8) + [0x0A]  // line 6
            bytes += Array(#"{"external_ref": "s", "session_spec": [1]}"#.utf8) + [0x0A]  // line 7
            bytes += Array(#"{"external_ref": "t", "sessionSpec": {}}"#.utf8) + [0x0A]  // line 8
            // line 9
            bytes += Array(#"{"external_ref": "u", "session_spec": {"client_session_token_ttl": 60}}"#.utf8) + [0x0A]
            bytes += Array("{not json".utf8) + [0x0A]  // line 10
            bytes += Array(#"{"external_ref": "ok-2"}"#.utf8)  // line 11, no final newline
            let path = try MigratedDatabase.temporaryFile(bytes, suffix: ".jsonl")
            defer { try? FileManager.default.removeItem(atPath: path) }
            let report = try await Enqueuer(
                database: database.pool, options: .init(batchID: "b", format: .jsonLines, defaultConfig: "standard")
            ).load(try .file(path))

            #expect(report.inserted == 2 && report.rejectedCount == 9 && report.exitCode == 1, "\(report.render())")
            let reasons = Dictionary(uniqueKeysWithValues: report.rejections.map { ($0.line, $0.reason) })
            #expect(reasons[2]?.contains("an array, not a JSON object") == true)
            #expect(reasons[3]?.contains("unknown config_name \"nope\"") == true)
            #expect(reasons[4]?.contains("not valid UTF-8") == true)
            #expect(reasons[5]?.contains("must be a string") == true)
            #expect(reasons[6]?.contains("external_ref is empty") == true)
            #expect(reasons[7]?.contains("session_spec is an array") == true)
            #expect(reasons[8]?.contains("unknown key(s) sessionSpec") == true)
            #expect(reasons[9]?.contains("client_session_token_ttl") == true)
            #expect(reasons[10]?.contains("not valid JSON") == true)
            #expect(Set(try await database.storedRows(batch: "b").keys) == ["ok-1", "ok-2"])
        }
    }

    @Test("--config naming an unknown configuration is a usage error; rows without any config or spec are rejected")
    func unknownDefaultConfig() async throws {
        try await MigratedDatabase.with { database in
            let error = await #expect(throws: OperationError.self) {
                try await database.enqueue(#"{"external_ref": "a"}"#, batch: "b", config: "missing")
            }
            #expect(error?.code == .usage && error?.message.contains("--config missing") == true)
            let report = try await database.enqueue(#"{"external_ref": "a"}"#, batch: "b")
            #expect(report.rejectedCount == 1)
            #expect(report.rejections.first?.reason.contains("neither config_name nor session_spec") == true)
        }
    }

    @Test(
        "rows are validated against the stored configuration: an invalid one rejects unpatched rows, a patch can fix it"
    )
    func invalidStoredConfiguration() async throws {
        try await MigratedDatabase.with { database in
            var broken = TestSessionSpec.valid.objectValue ?? [:]
            broken["client_session_token_ttl"] = 60
            try await database.addConfiguration("broken", .object(broken))
            let text = [
                #"{"external_ref": "plain"}"#,
                #"{"external_ref": "fixed", "session_spec": {"client_session_token_ttl": 900}}"#,
            ].joined(separator: "\n")
            let report = try await database.enqueue(text, batch: "b", config: "broken")
            #expect(report.inserted == 1 && report.rejectedCount == 1)
            #expect(report.rejections.first?.line == 1)
            #expect(report.rejections.first?.reason.contains("config \"broken\"") == true)
            #expect(report.rejections.first?.reason.contains("client_session_token_ttl") == true)
            #expect(Set(try await database.storedRows(batch: "b").keys) == ["fixed"])
        }
    }

    @Test("SQL metacharacters, quotes and non-ASCII in batch ids and external_refs are stored verbatim")
    func metacharacters() async throws {
        try await MigratedDatabase.with { database in
            try await database.addConfiguration("standard")
            let batch = #"b'; DROP TABLE idv.batches; --"#
            let refs = [#"o'brien"#, #"a"b\c"#, "{x,y}", "NULL", "💡 café", "  padded  ", #"$1 ; --"#]
            let text = try refs.map { ref in
                String(decoding: try JSONEncoder().encode(["external_ref": ref]), as: UTF8.self)
            }.joined(separator: "\n")
            let report = try await database.enqueue(text, batch: batch, config: "standard")
            #expect(report.inserted == refs.count, "\(report.render())")
            #expect(Set(try await database.storedRows(batch: batch).keys) == Set(refs))
            #expect(try await database.count("SELECT 1 FROM idv.batches WHERE batch_id = $1", [.text(batch)]) == 1)
        }
    }

    @Test("a line over the limit is rejected without stopping the load; the CSV record limit applies across lines")
    func overlongLines() async throws {
        try await MigratedDatabase.with { database in
            try await database.addConfiguration("standard")
            let huge =
                #"{"external_ref": "big", "session_spec": {"x": ""# + String(repeating: "a", count: 10 << 20) + #""}}"#
            let text = [#"{"external_ref": "a"}"#, huge, #"{"external_ref": "b"}"#].joined(separator: "\n")
            let report = try await database.enqueue(text, batch: "b", config: "standard")
            #expect(report.inserted == 2 && report.rejectedCount == 1)
            #expect(report.rejections.first?.line == 2)
            #expect(report.rejections.first?.reason.contains("over the limit") == true)

            let csv =
                "external_ref,given_names\nok,Ada\nlong,\"" + String(repeating: "x\n", count: 600_000)
                + "\"\nafter,Bob\n"
            let csvReport = try await database.enqueue(csv, batch: "c", format: .csv, config: "standard")
            #expect(csvReport.rejectedCount == 1 && csvReport.inserted == 2, "\(csvReport.render())")
            #expect(csvReport.rejections.first?.line == 3)
            #expect(csvReport.rejections.first?.reason.contains("over the 1048576-byte limit") == true)
            #expect(Set(try await database.storedRows(batch: "c").keys) == ["ok", "after"])
        }
    }

    @Test("rows are inserted in statements of the batch size, in input order")
    func batching() async throws {
        try await MigratedDatabase.with { database in
            try await database.addConfiguration("standard")
            let text = (1...2_345).map { #"{"external_ref": "r-\#($0)"}"# }.joined(separator: "\n")
            let progress = ProgressRecorder()
            let path = try MigratedDatabase.temporaryFile(text, suffix: ".jsonl")
            defer { try? FileManager.default.removeItem(atPath: path) }
            var options = Enqueuer.Options(batchID: "big", format: .jsonLines, defaultConfig: "standard")
            options.batchSize = 1_000
            let report = try await Enqueuer(database: database.pool, options: options).load(
                try .file(path), progress: progress.record)
            #expect(report.inserted == 2_345)
            #expect(progress.insertedTotals == [1_000, 2_000, 2_345])
            let ordered = try await database.pool.query(
                "SELECT external_ref FROM idv.verification_requests WHERE batch_id = 'big' ORDER BY id LIMIT 3")
            #expect(try ordered.map { try $0.decode(String.self, "external_ref") } == ["r-1", "r-2", "r-3"])
        }
    }
}

/// Remembers the enqueuer's progress callbacks.
final class ProgressRecorder: Sendable {
    private let totals = Mutex<[Int]>([])
    func record(_ progress: Enqueuer.Progress) { totals.withLock { $0.append(progress.inserted) } }
    var insertedTotals: [Int] { totals.withLock { $0 } }
}
