import Foundation
import IDVCommands
import LocalPostgres
import PostgresClient
import YotiAPI

extension Benchmark {
    /// The named configuration of the generated In-Branch applicants (the demo's `in-branch`, compacted).
    static let enqueueConfigName = "bench-in-branch"
    static let inBranchSpec: JSONValue = [
        "client_session_token_ttl": 1_209_600, "resources_ttl": 1_296_000, "block_biometric_consent": false,
        "ibv_options": ["support": "MANDATORY", "guidance_url": "https://onboarding.example.com/branch-guidance"],
        "requested_checks": [
            ["type": "IBV_VISUAL_REVIEW_CHECK", "config": ["manual_check": "IBV"]],
            ["type": "PROFILE_DOCUMENT_MATCH", "config": ["manual_check": "IBV"]],
            ["type": "ID_DOCUMENT_AUTHENTICITY", "config": ["manual_check": "FALLBACK"]],
        ],
        "requested_tasks": [
            [
                "type": "ID_DOCUMENT_TEXT_DATA_EXTRACTION",
                "config": ["manual_check": "FALLBACK", "chip_data": "DESIRED"],
            ]
        ],
        "sdk_config": ["allowed_capture_methods": "CAMERA", "primary_colour": "#0b5fff", "locale": "en-GB"],
    ]

    /// The CSV columns of the generated applicants, in file order.
    static let applicantColumns = [
        "external_ref", "config_name", "given_names", "family_name", "full_name", "date_of_birth", "address_format",
        "building_number", "address_line1", "town_city", "postal_code", "country_iso", "country",
    ]

    /// Figure 11: `idv-batch enqueue` of the demo's applicants (one in four In-Branch with a profile) ÷
    /// PostgreSQL's own `COPY` of the same file into a plain table, for JSON Lines and for CSV.
    func enqueueAgainstCopy() async throws -> [BenchFigure] {
        // The document the applicants bring comes from the configuration's defaults (the CSV names none).
        _ = try await pool.query(
            """
            INSERT INTO idv.session_configs (name, spec, ibv_defaults) VALUES ($1, $2::jsonb, $3::jsonb)
            ON CONFLICT (name) DO NOTHING
            """,
            [
                .text(Self.enqueueConfigName), .jsonb(Self.inBranchSpec.jsonString()),
                .jsonb(
                    #"{"documents": [{"type": "ID_DOCUMENT", "document_type": "PASSPORT", "country_code": "GBR"}]}"#),
            ])
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("idv-bench-enqueue-\(UUID())")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: false)
        defer { try? FileManager.default.removeItem(at: directory) }
        let rows = sizes.enqueueRows
        let jsonl = directory.appendingPathComponent("applicants.jsonl").path
        let csv = directory.appendingPathComponent("applicants.csv").path
        try Self.writeApplicants(rows: rows, jsonLinesPath: jsonl, csvPath: csv)

        // The baselines: the server reads the file itself (the bench runs as the superuser that made the
        // throwaway cluster), one JSON line per jsonb value, the CSV into text columns. The generated rows
        // hold no backslash, tab or \u{01}, so the quoting below leaves every JSON line intact.
        let jsonCopy = try await timedCopy(
            table: "bench_copy_jsonl (doc jsonb)", column: "doc", path: jsonl,
            options: "FORMAT csv, QUOTE E'\\x01', DELIMITER E'\\x02'")
        let jsonEnqueue = try await timedEnqueue(batch: "bench-enqueue-jsonl", path: jsonl, rows: rows)
        let floor = try await timedTableInsert(from: "bench-enqueue-jsonl", into: "bench-enqueue-floor", rows: rows)
        let csvColumns = Self.applicantColumns.map { "\($0) text" }.joined(separator: ", ")
        let csvCopy = try await timedCopy(
            table: "bench_copy_csv (\(csvColumns))", column: Self.applicantColumns.joined(separator: ", "), path: csv,
            options: "FORMAT csv, HEADER true")
        let csvEnqueue = try await timedEnqueue(batch: "bench-enqueue-csv", path: csv, rows: rows)

        func figure(_ id: String, _ format: String, copy: Double, enqueue: EnqueueRun) -> BenchFigure {
            let perSecond = { (seconds: Double) in Double(rows) / max(seconds, 1e-9) }
            return BenchFigure(
                id: id, name: "enqueue ÷ COPY, \(BenchFigure.grouped(Double(rows))) \(format) rows",
                measured: perSecond(enqueue.seconds), unit: "rows/s", baseline: perSecond(copy),
                baselineUnit: "rows/s", ratio: enqueue.seconds / copy, goal: .ratioAtMost(2.0),
                note: String(
                    format: "`idv-batch enqueue` child process %.2f s (validated, COPY + INSERT … ON CONFLICT), "
                        + "%.2f s CPU, peak RSS %.1f MiB; server-side COPY into a plain table %.2f s",
                    enqueue.seconds, enqueue.cpuSeconds, enqueue.peakRSSMebibytes, copy))
        }
        return [
            figure("11a", "JSON Lines", copy: jsonCopy, enqueue: jsonEnqueue),
            figure("11b", "CSV", copy: csvCopy, enqueue: csvEnqueue),
            BenchFigure(
                id: "11c", name: "enqueue ÷ the table's own INSERT … SELECT, JSON Lines",
                measured: Double(rows) / max(jsonEnqueue.seconds, 1e-9), unit: "rows/s",
                baseline: Double(rows) / max(floor, 1e-9), baselineUnit: "rows/s", ratio: jsonEnqueue.seconds / floor,
                note: String(
                    format: "the server alone inserting the same rows into idv.verification_requests (one "
                        + "`INSERT … SELECT … ON CONFLICT DO NOTHING` from the loaded batch, jsonb parsed again from "
                        + "text): %.2f s, %.2f× the plain COPY; a pending row goes into five of the table's indexes "
                        + "(the claim's and the idempotency key's), which no client can avoid",
                    floor, floor / max(jsonCopy, 1e-9))),
        ]
    }

    /// Seconds of the server inserting the rows of batch `source` again as batch `target` (then removed):
    /// what loading them costs with no client at all, the floor of any `enqueue` into this table.
    private func timedTableInsert(from source: String, into target: String, rows: Int) async throws -> Double {
        _ = try await pool.execute("CHECKPOINT")
        let started = ContinuousClock.now
        let inserted = try await pool.execute(
            """
            INSERT INTO idv.verification_requests (batch_id, external_ref, config_name, session_spec, ibv_instructions)
            SELECT $1, external_ref, config_name, session_spec::text::jsonb, ibv_instructions::text::jsonb
            FROM idv.verification_requests WHERE batch_id = $2 ORDER BY id
            ON CONFLICT (batch_id, external_ref) DO NOTHING
            """, [.text(target), .text(source)])
        let seconds = (ContinuousClock.now - started).secondsDouble
        guard inserted == rows else {
            throw CommandFailure(
                exitCode: 3, message: "Benchmark step \(target): inserted \(inserted) rows, expected \(rows).")
        }
        _ = try await pool.execute("DELETE FROM idv.verification_requests WHERE batch_id = $1", [.text(target)])
        return seconds
    }

    /// What one `idv-batch enqueue` took.
    struct EnqueueRun {
        var seconds: Double
        var cpuSeconds: Double
        var peakRSSMebibytes: Double
    }

    /// Seconds of one server-side `COPY table FROM path` into a fresh table.
    private func timedCopy(table: String, column: String, path: String, options: String) async throws -> Double {
        let name = table.prefix { $0 != " " }
        _ = try await pool.execute("DROP TABLE IF EXISTS \(name)")
        _ = try await pool.execute("CREATE TABLE \(table)")
        _ = try await pool.execute("CHECKPOINT")
        // COPY takes no parameters: the path is this run's own temporary file, quoted as a literal.
        let literal = "'" + path.replacingOccurrences(of: "'", with: "''") + "'"
        let started = ContinuousClock.now
        _ = try await pool.execute("COPY \(name) (\(column)) FROM \(literal) WITH (\(options))")
        let seconds = (ContinuousClock.now - started).secondsDouble
        _ = try await pool.execute("DROP TABLE \(name)")
        return seconds
    }

    /// Runs `idv-batch enqueue --batch batch path` as a child process and checks every row went in.
    private func timedEnqueue(batch: String, path: String, rows: Int) async throws -> EnqueueRun {
        _ = try await pool.execute("CHECKPOINT")
        let started = ContinuousClock.now
        let process = try SpawnedProcess.start(
            [executable, "enqueue", "--batch", batch, path], environment: childEnvironment, name: batch)
        let termination = try await process.wait(samplingPeakMemory: true)
        let seconds = (ContinuousClock.now - started).secondsDouble
        guard termination.status == 0 else {
            throw CommandFailure(
                exitCode: 3,
                message: "Benchmark step \(batch): `idv-batch enqueue` exited \(termination.status):\n"
                    + termination.output.split(separator: "\n").suffix(15).joined(separator: "\n"))
        }
        let counts = try await statusCounts(batch: batch)
        guard counts == ["pending": rows] else {
            throw CommandFailure(
                exitCode: 3, message: "Benchmark step \(batch): expected \(rows) pending rows, found \(counts).")
        }
        return EnqueueRun(
            seconds: seconds, cpuSeconds: termination.cpuSeconds, peakRSSMebibytes: termination.peakRSSMebibytes)
    }

    /// Writes `rows` applicants in the demo's shape as JSON Lines and as CSV: every fourth goes to a
    /// branch with an applicant profile, the others name the standard configuration only.
    static func writeApplicants(rows: Int, jsonLinesPath: String, csvPath: String) throws {
        let given = ["Ada", "Grace", "Alan", "Mary", "Tim", "Sophie", "Chidi", "Aiko", "Lena", "Omar", "Zoë", "Seán"]
        let family = [
            "Lovelace", "Hopper", "Turing", "Somerville", "Berners-Lee", "Wilson", "Okafor", "Tanaka", "O'Brien",
            "Haddad",
        ]
        let towns = [
            ("London", "SW1A 1AA"), ("Leeds", "LS1 4AP"), ("Glasgow", "G1 1XQ"), ("Cardiff", "CF10 1EP"),
            ("Belfast", "BT1 5GS"),
        ]
        guard let jsonFile = FileHandle(forWritingAtPath: create(jsonLinesPath)),
            let csvFile = FileHandle(forWritingAtPath: create(csvPath))
        else {
            throw CommandFailure(exitCode: 3, message: "Could not write the enqueue benchmark's files under /tmp.")
        }
        defer {
            try? jsonFile.close()
            try? csvFile.close()
        }
        var json = ""
        var csv = applicantColumns.joined(separator: ",") + "\n"
        for index in 1...rows {
            let ref = "crm-" + String(index)
            if index % 4 == 0 {
                let first = given[index % given.count]
                let last = family[(index / 7) % family.count]
                let (town, postcode) = towns[(index / 3) % towns.count]
                let birth = "\(1950 + index % 55)-0\(1 + index % 9)-1\(index % 10)"
                let number = "\(1 + index % 200)"
                json +=
                    #"{"config_name":"\#(enqueueConfigName)","external_ref":"\#(ref)","session_spec":{"resources":{"applicant_profile":{"#
                    + #""date_of_birth":"\#(birth)","family_name":"\#(last)","full_name":"\#(first) \#(last)","given_names":"\#(first)","#
                    + #""structured_postal_address":{"address_format":1,"address_line1":"\#(number) High Street","building_number":"\#(number)","#
                    + #""country":"United Kingdom","country_iso":"GBR","postal_code":"\#(postcode)","town_city":"\#(town)"}}}}}"#
                    + "\n"
                csv +=
                    "\(ref),\(enqueueConfigName),\(first),\(last),\(first) \(last),\(birth),1,\(number),"
                    + "\(number) High Street,\(town),\(postcode),GBR,United Kingdom\n"
            } else {
                json += #"{"config_name":"\#(configName)","external_ref":"\#(ref)"}"# + "\n"
                csv += "\(ref),\(configName),,,,,,,,,,,\n"
            }
            if json.utf8.count > 1 << 20 || index == rows {
                jsonFile.write(Data(json.utf8))
                csvFile.write(Data(csv.utf8))
                json.removeAll(keepingCapacity: true)
                csv.removeAll(keepingCapacity: true)
            }
        }
    }

    private static func create(_ path: String) -> String {
        _ = FileManager.default.createFile(atPath: path, contents: nil, attributes: [.posixPermissions: 0o644])
        return path
    }
}
