import Foundation
import IDVRunner
import TestSupport
import Testing

@testable import IDVCommands

/// Job files: the shipped ones load, unknown keys and bad values are refused naming file, key and line.
@Suite("Job files")
struct JobFileTests {
    static func shipped(_ name: String) -> String {
        SharedPaths.repositoryRoot.appendingPathComponent("jobs/\(name)").path
    }

    @Test("the shipped jobs load with the values they document")
    func shippedJobs() throws {
        let nightly = try JobFile.load(path: Self.shipped("nightly-onboarding.yml"))
        #expect(nightly.command == .run)
        #expect(nightly.run.batches == [] && nightly.run.concurrency == 32 && nightly.run.rate == 25)
        #expect(nightly.run.deadline == "6h" && nightly.run.onUnknown == "retry")
        #expect(
            nightly.connections.databaseURLEnv == "DATABASE_URL"
                && nightly.connections.keyFile == "/etc/idv-batch/yoti-key.pem")

        let sweep = try JobFile.load(path: Self.shipped("expiry-sweep.yml"))
        #expect(sweep.command == .expire)
        #expect(
            sweep.expire.deleteRemote == true && sweep.expire.chunkSize == 5_000 && sweep.expire.deleteConcurrency == 8)

        let rerun = try JobFile.load(path: Self.shipped("rerun-failed.yml"))
        #expect(rerun.command == .rerun)
        #expect(rerun.rerun.batch == "onboarding-2026-11-21")
        #expect(rerun.rerun.only == ["transient", "rate_limited", "unknown_outcome"] && rerun.rerun.statuses == [])
        #expect(rerun.run.concurrency == 16 && rerun.run.batches == nil)
        #expect(throws: JobFileError.self) { try rerun.require(.run) }

        let sync = try JobFile.load(path: Self.shipped("sync-results.yml"))
        #expect(sync.command == .sync)
        #expect(sync.syncStaleAfter == 21_600 && sync.run.concurrency == 8 && sync.run.batches == [])
        #expect(throws: JobFileError.self) { try sync.require(.run) }
    }

    @Test("the Kubernetes ConfigMap's job files are valid job files too")
    func kubernetesJobs() throws {
        let manifest = try String(contentsOfFile: Self.shipped("schedule/kubernetes-cronjob.yaml"), encoding: .utf8)
        // Each embedded file is the block under `<name>.yml: |`, indented four spaces.
        for name in ["nightly-onboarding.yml", "expiry-sweep.yml", "sync-results.yml", "purge.yml"] {
            let lines = manifest.components(separatedBy: "\n")
            let start = try #require(lines.firstIndex(of: "  \(name): |")) + 1
            let body = lines[start...].prefix { $0.hasPrefix("    ") || $0.isEmpty }.map { String($0.dropFirst(4)) }
            let job = try JobFile.parse(yaml: body.joined(separator: "\n"), path: name)
            #expect(job.connections.keyFile == "/var/run/secrets/yoti/yoti-key.pem")
        }
    }

    @Test(
        "bad files are refused naming file, key and line",
        arguments: [
            (
                "command: run\nrun:\n  concurrency: 4\n  concurency: 8\n", "run.concurency", 4,
                "unknown key; accepted here"
            ),
            ("command: run\nrun:\n  concurrency: many\n", "run.concurrency", 3, "must be an integer, found \"many\""),
            (
                "command: expire\nexpire:\n  delete_remote: sometimes\n", "expire.delete_remote", 3,
                "must be true or false"
            ),
            ("command: run\nrun:\n  batches: {a: 1}\n", "run.batches", 3, "must be a list of texts"),
            ("command: run\nrun:\n  deadline: tomorrow\n", "run.deadline", 3, "ISO 8601"),
            ("command: run\nrun:\n  on_unknown: maybe\n", "run.on_unknown", 3, "retry or fail"),
            ("command: rerun\nrerun:\n  statuses: [503, 99]\n", "rerun.statuses", 3, "between 100 and 599"),
            ("command: sweep\n", "command", 1, "must be one of run, expire, rerun"),
            ("version: 2\ncommand: run\n", "version", 1, "version 1"),
            ("command: run\nexpire:\n  chunk_size: 10\n", "expire", 2, "no expire section"),
            ("command: run\ndatabase:\n  url: postgres://idv:s3cret@db/idv\n", "database.url", 3, "never hold secrets"),
            ("command: run\nyoti:\n  sign_api_key: abc\n", "yoti.sign_api_key", 3, "never hold secrets"),
            ("description: no command\n", "command", nil, "missing"),
            ("command: run\nrun:\n  log_format: xml\n", "run.log_format", 3, "must be text or json"),
            ("command: expire\nexpire:\n  metrics_interval: 0\n", "expire.metrics_interval", 3, "must be at least 1"),
        ] as [(String, String, Int?, String)])
    func badFiles(yaml: String, key: String, line: Int?, message: String) {
        let error = #expect(throws: JobFileError.self) { try JobFile.parse(yaml: yaml, path: "jobs/test.yml") }
        #expect(error?.key == key)
        #expect(error?.line == line)
        #expect(error?.message.contains(message) == true, "\(String(describing: error))")
        #expect(error?.description.hasPrefix("jobs/test.yml") == true)
        #expect(error?.exitCode == 2)
        #expect(error?.description.contains("s3cret") == false)
    }

    @Test("run: and expire: take log_level, log_format, metrics_file and metrics_interval; flags override them")
    func observabilityKeys() throws {
        let keys =
            "  log_level: debug\n  log_format: json\n  metrics_file: /var/lib/node_exporter/idv.prom\n  metrics_interval: 30\n"
        let run = try JobFile.parse(yaml: "command: run\nrun:\n" + keys, path: "r.yml")
        let expire = try JobFile.parse(yaml: "command: expire\nexpire:\n" + keys, path: "e.yml")
        for settings in [run.run.observability, expire.expire.observability] {
            #expect(settings.logLevel == "debug" && settings.logFormat == "json")
            #expect(settings.metricsFile == "/var/lib/node_exporter/idv.prom" && settings.metricsInterval == 30)
        }
        #expect(run.run.logLevel == "debug")
        var flags = RunSettings()
        flags.observability.logFormat = "text"
        let merged = flags.overriding(run.run)
        #expect(
            merged.observability.logFormat == "text"
                && merged.observability.metricsFile == "/var/lib/node_exporter/idv.prom")
        #expect(merged.logLevel == "debug")
    }

    @Test("run.strict and metrics_instance reach the runner configuration and the metrics settings; --strict overrides")
    func strictAndInstanceKeys() throws {
        let job = try JobFile.parse(
            yaml: "command: run\nrun:\n  strict: true\n  metrics_instance: worker-2\n", path: "r.yml")
        #expect(job.run.strict == true && job.run.observability.metricsInstance == "worker-2")
        #expect(try job.run.runnerConfiguration().strictValidation)
        #expect(try RunSettings().runnerConfiguration().strictValidation == false)
        var flags = RunSettings()
        flags.strict = true
        let lenientFile = try JobFile.parse(yaml: "command: run\nrun:\n  strict: false\n", path: "r.yml")
        #expect(try flags.overriding(lenientFile.run).runnerConfiguration().strictValidation)
        #expect(throws: JobFileError.self) {
            try JobFile.parse(yaml: "command: run\nrun:\n  strict: sometimes\n", path: "r.yml")
        }
    }

    @Test("YAML that is not a mapping, and a missing file, are refused with the file name")
    func syntaxAndMissing() {
        #expect(throws: JobFileError.self) { try JobFile.parse(yaml: "- a\n- b\n", path: "x.yml") }
        #expect(throws: JobFileError.self) { try JobFile.parse(yaml: "command: [unclosed\n", path: "x.yml") }
        let missing = #expect(throws: JobFileError.self) { try JobFile.load(path: "/nonexistent/job.yml") }
        #expect(missing?.code == .unreadable && missing?.file == "/nonexistent/job.yml")
    }

    @Test(
        "the job's named variables and values become the standard environment; a named variable that is unset is an error"
    )
    func environmentOverlay() throws {
        let job = try JobFile.parse(
            yaml: """
                command: run
                database:
                  url_env: NIGHTLY_DB
                yoti:
                  sdk_id: sdk-123
                  key_file_env: NIGHTLY_KEY
                  api_url: http://127.0.0.1:9/idv
                """, path: "j.yml")
        let environment = try job.connections.environment(
            overlaying: [
                "NIGHTLY_DB": "postgres://db/idv", "NIGHTLY_KEY": "/k.pem", "YOTI_CLIENT_SDK_ID": "ambient",
                "YOTI_DOC_SCAN_API_URL": "http://elsewhere",
            ],
            file: job.path)
        #expect(environment["DATABASE_URL"] == "postgres://db/idv")
        #expect(environment["YOTI_KEY_FILE_PATH"] == "/k.pem")
        #expect(environment["YOTI_CLIENT_SDK_ID"] == "sdk-123")
        #expect(
            environment["YOTI_IDV_API_URL"] == "http://127.0.0.1:9/idv" && environment["YOTI_DOC_SCAN_API_URL"] == nil)
        let unset = #expect(throws: JobFileError.self) {
            try job.connections.environment(overlaying: [:], file: job.path)
        }
        #expect(unset?.key == "database.url_env" && unset?.message.contains("NIGHTLY_DB") == true)
    }

    @Test("yoti.tracking_id_key_file and tracking_id_key_file_env set IDV_TRACKING_ID_KEY_FILE")
    func trackingIDKeyFile() throws {
        let direct = try JobFile.parse(
            yaml: """
                command: run
                yoti:
                  tracking_id_key_file: /run/secrets/tracking-id.key
                """, path: "j.yml")
        #expect(
            try direct.connections.environment(overlaying: [:], file: "j.yml")["IDV_TRACKING_ID_KEY_FILE"]
                == "/run/secrets/tracking-id.key")
        let indirect = try JobFile.parse(
            yaml: """
                command: rerun
                yoti:
                  tracking_id_key_file_env: NIGHTLY_TRACKING_KEY
                """, path: "j.yml")
        #expect(
            try indirect.connections.environment(overlaying: ["NIGHTLY_TRACKING_KEY": "/k2"], file: "j.yml")[
                "IDV_TRACKING_ID_KEY_FILE"] == "/k2")
        let unset = #expect(throws: JobFileError.self) {
            try indirect.connections.environment(overlaying: [:], file: "j.yml")
        }
        #expect(unset?.key == "yoti.tracking_id_key_file_env")
    }

    @Test(
        "command-line settings override the file's; the result becomes a runner configuration with defaults for the rest"
    )
    func settingsLayering() throws {
        var file = RunSettings()
        file.batches = ["from-file"]
        file.concurrency = 8
        file.rate = 5
        file.deadline = "2h"
        var flags = RunSettings()
        flags.concurrency = 64
        let merged = flags.overriding(file)
        #expect(merged.concurrency == 64 && merged.rate == 5 && merged.batches == ["from-file"])
        let now = Date(timeIntervalSince1970: 1_000_000)
        let configuration = try merged.runnerConfiguration(batches: ["override"], now: now)
        #expect(configuration.batches == ["override"] && configuration.concurrency == 64 && configuration.rate == 5)
        #expect(configuration.deadline == now.addingTimeInterval(7_200))
        #expect(configuration.maxAttempts == RunnerConfiguration().maxAttempts)
        var bad = RunSettings()
        bad.onUnknown = "maybe"
        #expect(throws: OperationError.self) { try bad.runnerConfiguration() }
    }
}

@Suite("purge job files")
struct PurgeJobFileTests {
    @Test("retention periods are read and checked: unknown kinds and bad or negative periods name the key")
    func retention() throws {
        let job = try JobFile.parse(
            yaml: """
                command: purge
                purge:
                  retention:
                    personal_inputs: 7d
                    results: never
                  batches: [a]
                  as_of: 2027-01-01T00:00:00Z
                """, path: "p.yml")
        #expect(job.command == .purge && job.purge.retention == ["personal_inputs": "7d", "results": "never"])
        #expect(job.purge.batches == ["a"] && job.purge.asOf == "2027-01-01T00:00:00Z")
        for (body, key) in [
            ("retention:\n    personal_input: 7d", "personal_input"),
            ("retention:\n    results: -3d", "purge.retention.results"),
            ("retention:\n    results: 3 days", "purge.retention.results"), ("colour: red", "colour"),
        ] {
            #expect {
                _ = try JobFile.parse(yaml: "command: purge\npurge:\n  \(body)\n", path: "p.yml")
            } throws: { error in
                (error as? JobFileError)?.key?.contains(key) == true
            }
        }
    }
}
