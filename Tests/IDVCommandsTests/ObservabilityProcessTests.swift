import Foundation
import PostgresClient
import TestSupport
import Testing
import YotiAPI

#if canImport(Glibc)
    import Glibc
#endif

/// `--metrics-file` and `--log-format json` on real `idv-batch run` processes against the in-process sandbox.
@Suite("Metrics file and JSON logs (processes)", .serialized)
struct ObservabilityProcessTests {
    static func metricsPath(_ name: String) -> String {
        FileManager.default.temporaryDirectory.appendingPathComponent("idv-\(name)-\(UUID().uuidString.prefix(8)).prom")
            .path
    }

    static func readMetrics(_ path: String) throws -> PrometheusText {
        try PrometheusText(String(contentsOfFile: path, encoding: .utf8))
    }

    @Test("rejected credentials (exit 3): the metrics file is still written, with the exit code and the 401s")
    func writtenOnCredentialsAbort() async throws {
        try await CommandHarness.with(sandboxAcceptsKey: false) { harness in
            let batch = CommandHarness.batchID("metrics-401")
            try await harness.enqueue(batch: batch, count: 40)
            let path = Self.metricsPath("401")
            defer { try? FileManager.default.removeItem(atPath: path) }
            let result = try await harness.startRun(
                batch: batch, arguments: ["--concurrency", "4", "--metrics-file", path], name: "metrics-401"
            ).wait()
            #expect(result.status == 3, "\(result.output)")
            let metrics = try Self.readMetrics(path)
            #expect(metrics.value("idv_run_exit_code") == 3)
            #expect(metrics.familiesWithoutHelp.isEmpty, "\(metrics.familiesWithoutHelp)")
            // No run has succeeded: the last-success gauge is there, at 0, for the alert to fire.
            #expect(metrics.value("idv_run_last_success_timestamp_seconds") == 0)
            #expect(metrics.sum("idv_attempts_total", ["class": "credentials"]) >= 1)
            #expect(metrics.sum("idv_attempts_total", ["class": "credentials", "http_status": "401"]) >= 1)
            #expect(metrics.value("idv_rows_total", ["outcome": "created"]) == 0)
            #expect(metrics.histogramProblems().isEmpty)
        }
    }

    @Test(
        "SIGTERM (exit 143): the file is rewritten during the run and a last time after the drain, matching the database"
    )
    func writtenPeriodicallyAndOnSigterm() async throws {
        try await CommandHarness.with(behaviour: .latency(.milliseconds(100))) { harness in
            let batch = CommandHarness.batchID("metrics-term")
            try await harness.enqueue(batch: batch, count: 2_000)
            let path = Self.metricsPath("term")
            defer { try? FileManager.default.removeItem(atPath: path) }
            let process = try harness.startRun(
                batch: batch, arguments: ["--concurrency", "16", "--metrics-file", path, "--metrics-interval", "1"],
                name: "metrics-term")
            // The start-up write has zero sessions; a periodic write during the run shows some.
            let deadline = ContinuousClock.now + .seconds(60)
            var duringRun: Double = 0
            while ContinuousClock.now < deadline {
                duringRun = (try? Self.readMetrics(path).value("idv_rows_total", ["outcome": "created"])) ?? 0
                if duringRun > 0 { break }
                try await Task.sleep(for: .milliseconds(100))
            }
            #expect(duringRun > 0, "no periodic write showed progress")
            #expect(
                (try? Self.readMetrics(path).value("idv_run_exit_code")) == nil, "the exit code exists only at the end")
            process.send(SIGTERM)
            let result = try await process.wait()
            #expect(result.status == 143, "\(result.output)")

            let metrics = try Self.readMetrics(path)
            #expect(metrics.value("idv_run_exit_code") == 143)
            let created = try await harness.statusCounts(batch: batch)["created"] ?? 0
            #expect(metrics.value("idv_rows_total", ["outcome": "created"]).map(Int.init) == created)
            #expect(Double(created) >= duringRun)
            #expect(
                Int(metrics.sum("idv_call_duration_seconds_count"))
                    == (try await harness.attemptOutcomes(batch: batch)).filter {
                        $0 != "not_sent"
                    }.count)
        }
    }

    @Test(
        "--log-format json at debug and trace: every log line is JSON, and no token, key, auth_token or DB password appears",
        arguments: ["debug", "trace"])
    func noSecretsInLogsOrMetrics(level: String) async throws {
        try await CommandHarness.with { harness in
            let batch = CommandHarness.batchID("secrets-\(level)")
            let authToken = "notify-secret-\(UUID().uuidString.prefix(12))"
            guard case .object(var spec) = TestSessionSpec.valid else { throw CancellationError() }
            spec["notifications"] = [
                "endpoint": "https://example.com/hook", "auth_token": .string(authToken),
                "topics": ["SESSION_COMPLETION"],
            ]
            try await harness.enqueue(batch: batch, count: 30, spec: .object(spec))
            let databasePassword = "db-secret-\(UUID().uuidString.prefix(12))"
            let path = Self.metricsPath("secrets")
            defer { try? FileManager.default.removeItem(atPath: path) }
            let result = try await harness.startRun(
                batch: batch,
                arguments: [
                    "--concurrency", "8", "--log-level", level, "--log-format", "json", "--metrics-file", path,
                ],
                name: "secrets-\(level)",
                // Local trust authentication ignores the password, but the process holds it.
                environment: [
                    "DATABASE_URL": harness.postgres.unredactedConnectionString + " password=\(databasePassword)"
                ]
            ).wait()
            let status = result.status
            #expect(status == 0)
            let metrics = try String(contentsOfFile: path, encoding: .utf8)

            let tokens = try await harness.sessionTokens(batch: batch)
            #expect(tokens.count == 30)
            let key = try String(contentsOfFile: SharedPaths.ownerOnlyTestKey, encoding: .utf8)
            let keyBody = key.split(separator: "\n").filter { !$0.hasPrefix("-----") }.prefix(3).map(String.init)
            // Booleans only: a failure must not print the output (or the secret) it found.
            for (index, secret) in (tokens + keyBody + [authToken, databasePassword, "PRIVATE KEY"]).enumerated() {
                let inOutput = result.output.contains(secret)
                let inMetrics = metrics.contains(secret)
                #expect(!inOutput && !inMetrics, "secret #\(index) leaked (output \(inOutput), metrics \(inMetrics))")
            }
            // At trace the HTTP client would log raw response parts (bodies hold tokens): it stays at debug.
            let rawResponseLogged = result.output.contains("ahc-http-part")
            #expect(!rawResponseLogged)

            // Standard error holds JSON lines only (the summary goes to standard output, in the same file here).
            let logLines = result.output.split(separator: "\n").filter { $0.hasPrefix("{") }
            #expect(logLines.count >= 30, "debug logs one line per session")
            for line in logLines {
                let object = try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any]
                let shaped = object?["ts"] is String && object?["level"] is String && object?["msg"] is String
                #expect(shaped)
            }
            let created = logLines.filter { $0.contains(#""msg":"Session created""#) }
            #expect(created.count == 30)
            #expect(created.allSatisfy { $0.contains(#""session.id":"#) && $0.contains(#""request.id":"#) })
        }
    }

    @Test(
        "--help explains the metrics file on run, rerun and expire; every logging command takes --log-level and --log-format"
    )
    func helpTexts() async throws {
        for command in [["run"], ["rerun"], ["expire"]] {
            let help = try await IDVBatchProcess.run(command + ["--help"], environment: [:])
            let text = help.output.replacingOccurrences(of: "\n", with: " ").split(separator: " ").joined(
                separator: " ")
            #expect(
                help.status == 0 && text.contains("--metrics-file") && text.contains("textfile collector"), "\(command)"
            )
            #expect(text.contains("atomic") && text.contains("--metrics-interval"), "\(command)")
        }
        for command in [
            ["run"], ["rerun"], ["expire"], ["enqueue"], ["configs", "push"], ["configs", "list"], ["migrate"],
        ] {
            let help = try await IDVBatchProcess.run(command + ["--help"], environment: [:])
            #expect(help.output.contains("--log-format") && help.output.contains("--log-level"), "\(command)")
        }
    }

    @Test("--version prints the one version constant; typed options list their values in --help")
    func versionAndValues() async throws {
        let version = try await IDVBatchProcess.run(["--version"], environment: [:])
        #expect(
            version.status == 0
                && version.output.trimmingCharacters(in: .whitespacesAndNewlines) == IDVBatchVersion.current)
        let run = try await IDVBatchProcess.run(["run", "--help"], environment: [:])
        let text = run.output.split(whereSeparator: \.isWhitespace).joined(separator: " ")
        #expect(text.contains("(values: retry, fail)"), "\(text)")
        #expect(text.contains("(values: trace, debug, info, notice, warning, error, critical)"))
        #expect(
            text.contains("(values: text, json)") && text.contains("--strict") && text.contains("--metrics-instance"))
        let enqueue = try await IDVBatchProcess.run(["enqueue", "--help"], environment: [:])
        #expect(enqueue.output.contains("(values: jsonl, csv)") && enqueue.output.contains("--strict"))
    }

    @Test(
        "an unwritable --metrics-file or an unknown --log-format stops the command at start-up with exit 2 saying why",
        arguments: [
            (["run", "--metrics-file", "/nonexistent-idv-dir/idv.prom"], "/nonexistent-idv-dir/idv.prom"),
            (["expire", "--metrics-file", "/nonexistent-idv-dir/idv.prom"], "/nonexistent-idv-dir/idv.prom"),
            (["run", "--log-format", "xml"], "'xml' is invalid for '--log-format"),
            (
                ["run", "--metrics-file", "/tmp/idv.prom", "--metrics-interval", "0"],
                "--metrics-interval must be at least 1"
            ),
        ])
    func startupErrors(arguments: [String], message: String) async throws {
        let result = try await IDVBatchProcess.run(
            arguments, environment: ["DATABASE_URL": "host=127.0.0.1 port=9 dbname=none connect_timeout=2"])
        #expect(result.status == 2, "\(result.output)")
        #expect(result.output.contains(message), "\(result.output)")
    }
}
