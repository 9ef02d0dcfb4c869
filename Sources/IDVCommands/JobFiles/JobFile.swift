import Foundation
import IDVLogging
import IDVRunner
import Yams
import YotiAPI

/// A job definition under `jobs/`: which command it is for, where its database and Yoti settings come
/// from, and that command's settings. `run`, `rerun` and `expire` accept one with `--job FILE`;
/// flags given on the command line override the file.
///
/// ```yaml
/// version: 1                 # optional; the only version so far
/// command: expire            # run | rerun | expire | sync
/// description: Nightly sweep # optional, free text
/// database:
///   url_env: DATABASE_URL    # or url: (without a password)
/// yoti:
///   sdk_id_env: YOTI_CLIENT_SDK_ID   # or sdk_id:
///   key_file: /run/secrets/yoti/key.pem   # or key_file_env:
///   tracking_id_key_file: /run/secrets/yoti/tracking-id.key   # optional, or tracking_id_key_file_env:
///   api_url: https://api.yoti.com/idverify/v1
///   sign_api_url: https://api.yotisign.com
///   sign_api_key_env: YOTI_SIGN_API_KEY
/// run: {...}                 # command run and rerun: see RunSettings
/// rerun: {...}               # command rerun: batch, only, statuses, no_run
/// expire: {...}              # command expire: batches, as_of, dry_run, delete_remote, chunk_size, ...
/// sync: {...}                # command sync: stale_after (seconds); its run: section takes batches,
///                            # concurrency, rate, max_attempts, deadline, request_timeout, ...
/// ```
/// `run:` and `expire:` also take `log_level`, `log_format` (text | json), `metrics_file`,
/// `metrics_interval` (seconds) and `metrics_instance`, as the flags of the same names
/// (``ObservabilitySettings``); `run:` also takes `strict` (true | false, as `--strict`).
///
/// Unknown keys are errors (naming the file, line and the accepted keys), and so is anything that
/// would put a secret in the file: it names environment variables and files instead.
package struct JobFile: Sendable, Hashable {
    /// The path the file was read from.
    package var path: String
    /// The format version (1).
    package var version: Int
    /// The command the file is for.
    package var command: JobCommand
    package var description: String?
    package var connections: JobConnections
    /// `run:` (commands run and rerun).
    package var run: RunSettings
    /// `rerun:` (command rerun).
    package var rerun: RerunSettings
    /// `expire:` (command expire).
    package var expire: ExpireSettings
    /// `sync:` `stale_after` in seconds (command sync).
    package var syncStaleAfter: Double?
    /// `purge:` (command purge).
    package var purge = PurgeSettings()

    /// Reads and checks a job file.
    /// - Throws: ``JobFileError`` naming the file, and the key and line of the problem.
    package static func load(path: String) throws -> JobFile {
        let text: String
        do {
            text = try String(contentsOfFile: path, encoding: .utf8)
        } catch {
            throw JobFileError(
                code: .unreadable, file: path,
                message: "cannot read the job file (\(error.localizedDescription)); check the path")
        }
        return try parse(yaml: text, path: path)
    }

    /// Parses job file text; `path` is used in messages.
    /// - Throws: ``JobFileError``.
    package static func parse(yaml: String, path: String) throws -> JobFile {
        let root: Node?
        do {
            root = try Yams.compose(yaml: yaml)
        } catch {
            throw JobFileError(code: .syntax, file: path, message: "not valid YAML: \(error)")
        }
        guard let root else {
            throw JobFileError(
                code: .syntax, file: path,
                message: "the file is empty: it needs at least `command: run|rerun|expire|sync`")
        }
        var top = try JobFileMapping(root, prefix: "", file: path)
        let version = try top.int("version") ?? 1
        guard version == 1 else {
            throw JobFileError(
                code: .invalidValue, file: path, key: "version", line: top.line(of: "version"),
                message: "this idv-batch reads job file version 1; found \(version)")
        }
        guard let commandName = try top.string("command") else {
            throw JobFileError(
                code: .invalidValue, file: path, key: "command",
                message: "missing: say which command the file is for (\(JobCommand.names.joined(separator: ", ")))")
        }
        guard let command = JobCommand(name: commandName) else {
            throw JobFileError(
                code: .invalidValue, file: path, key: "command", line: top.line(of: "command"),
                message: "must be one of \(JobCommand.names.joined(separator: ", ")), found \"\(commandName)\"")
        }
        var job = JobFile(
            path: path, version: version, command: command, description: try top.string("description"),
            connections: JobConnections(), run: RunSettings(), rerun: RerunSettings(), expire: ExpireSettings())
        if var database = try top.section("database") {
            job.connections.databaseURL = try database.string("url")
            job.connections.databaseURLEnv = try database.string("url_env")
            try database.rejectUnknownKeys()
            if let url = job.connections.databaseURL, Self.containsPassword(url) {
                throw JobFileError(
                    code: .secret, file: path, key: "database.url", line: database.line(of: "url"),
                    message: "holds a password: job files never hold secrets; use url_env, PGPASSWORD or ~/.pgpass")
            }
        }
        if var yoti = try top.section("yoti") {
            job.connections.sdkID = try yoti.string("sdk_id")
            job.connections.sdkIDEnv = try yoti.string("sdk_id_env")
            job.connections.keyFile = try yoti.string("key_file")
            job.connections.keyFileEnv = try yoti.string("key_file_env")
            job.connections.trackingIDKeyFile = try yoti.string("tracking_id_key_file")
            job.connections.trackingIDKeyFileEnv = try yoti.string("tracking_id_key_file_env")
            job.connections.apiURL = try yoti.string("api_url")
            job.connections.signAPIURL = try yoti.string("sign_api_url")
            job.connections.signAPIKeyEnv = try yoti.string("sign_api_key_env")
            try yoti.rejectUnknownKeys()
        }
        let sections: [JobCommand: [String]] = [
            .run: ["run"], .rerun: ["rerun", "run"], .expire: ["expire"], .sync: ["run", "sync"], .purge: ["purge"],
        ]
        for name in ["run", "rerun", "expire", "sync", "purge"]
        where top.has(name) && !(sections[command] ?? []).contains(name) {
            throw JobFileError(
                code: .unknownKey, file: path, key: name, line: top.line(of: name),
                message:
                    "a `command: \(command)` job has no \(name) section (it takes: \((sections[command] ?? []).joined(separator: ", ")))"
            )
        }
        if var run = try top.section("run") { job.run = try readRun(&run, command: command) }
        if var rerun = try top.section("rerun") { job.rerun = try readRerun(&rerun) }
        if var expire = try top.section("expire") { job.expire = try readExpire(&expire) }
        if var sync = try top.section("sync") {
            job.syncStaleAfter = try sync.number("stale_after", minimum: 0)
            try sync.rejectUnknownKeys()
        }
        if var purge = try top.section("purge") { job.purge = try readPurge(&purge) }
        try top.rejectUnknownKeys()
        return job
    }

    /// Checks the file is for `expected`.
    /// - Throws: ``JobFileError`` `.wrongCommand`.
    package func require(_ expected: JobCommand) throws {
        guard command == expected else {
            throw JobFileError(
                code: .wrongCommand, file: path, key: "command",
                message:
                    "this job is for `idv-batch \(command)`, not `idv-batch \(expected)`; use `idv-batch \(command) --job \(path)`"
            )
        }
    }

    private static func readRun(_ section: inout JobFileMapping, command: JobCommand) throws -> RunSettings {
        var settings = RunSettings()
        if command == .run || command == .sync { settings.batches = try section.strings("batches") }
        settings.concurrency = try section.int("concurrency", in: 1...10_000)
        settings.maxAttempts = try section.int("max_attempts", in: 1...1_000)
        settings.onUnknown = try section.string("on_unknown")
        if let policy = settings.onUnknown, RunnerConfiguration.UnknownOutcomePolicy(rawValue: policy) == nil {
            throw JobFileError(
                code: .invalidValue, file: section.file, key: "run.on_unknown", line: section.line(of: "on_unknown"),
                message: "must be retry or fail, found \"\(policy)\"")
        }
        settings.rate = try section.number("rate", minimum: .leastNonzeroMagnitude)
        settings.maxSessions = try section.int("max_sessions", in: 0...Int.max)
        settings.deadline = try section.string("deadline")
        if let deadline = settings.deadline, RunDeadline.parse(deadline) == nil {
            throw JobFileError(
                code: .invalidValue, file: section.file, key: "run.deadline", line: section.line(of: "deadline"),
                message:
                    "must be an ISO 8601 time (2026-11-22T06:00:00Z) or a duration (6h, 90m), found \"\(deadline)\"")
        }
        settings.gracePeriod = try section.number("grace_period", minimum: 0)
        settings.leaseSeconds = try section.number("lease_seconds", minimum: 2)
        settings.requestTimeout = try section.number("request_timeout", minimum: .leastNonzeroMagnitude)
        settings.strict = try section.bool("strict")
        settings.letters = try section.string("letters")
        if settings.letters?.isEmpty == true {
            throw JobFileError(
                code: .invalidValue, file: section.file, key: "run.letters", line: section.line(of: "letters"),
                message: "must be a directory for the In-Branch letters, or email")
        }
        settings.followThrough = try section.bool("follow_through")
        settings.observability = try readObservability(&section)
        try section.rejectUnknownKeys()
        return settings
    }

    /// `log_level`, `log_format`, `metrics_file`, `metrics_interval` of a `run:` or `expire:` section.
    static func readObservability(_ section: inout JobFileMapping) throws -> ObservabilitySettings {
        var settings = ObservabilitySettings()
        settings.logLevel = try section.string("log_level")
        settings.logFormat = try section.string("log_format")
        if let format = settings.logFormat, LogFormat(name: format) == nil {
            throw JobFileError(
                code: .invalidValue, file: section.file, key: "\(section.prefix)log_format",
                line: section.line(of: "log_format"),
                message: "must be \(LogFormat.names.joined(separator: " or ")), found \"\(format)\"")
        }
        settings.metricsFile = try section.string("metrics_file")
        settings.metricsInterval = try section.number("metrics_interval", minimum: 1)
        settings.metricsInstance = try section.string("metrics_instance")
        return settings
    }

    private static func readRerun(_ section: inout JobFileMapping) throws -> RerunSettings {
        var settings = RerunSettings()
        settings.batch = try section.string("batch")
        settings.only = try section.strings("only")
        settings.statuses = try section.ints("statuses", in: 100...599)
        settings.noRun = try section.bool("no_run")
        try section.rejectUnknownKeys()
        return settings
    }

    private static func readExpire(_ section: inout JobFileMapping) throws -> ExpireSettings {
        var settings = ExpireSettings()
        settings.batches = try section.strings("batches")
        settings.asOf = try section.string("as_of")
        if let asOf = settings.asOf, RFC3339.date(from: asOf) == nil {
            throw JobFileError(
                code: .invalidValue, file: section.file, key: "expire.as_of", line: section.line(of: "as_of"),
                message: "must be an RFC 3339 time such as 2026-11-22T06:00:00Z, found \"\(asOf)\"")
        }
        settings.dryRun = try section.bool("dry_run")
        settings.deleteRemote = try section.bool("delete_remote")
        settings.chunkSize = try section.int("chunk_size", in: 1...1_000_000)
        settings.deleteConcurrency = try section.int("delete_concurrency", in: 1...1_000)
        settings.requestTimeout = try section.number("request_timeout", minimum: .leastNonzeroMagnitude)
        settings.observability = try readObservability(&section)
        try section.rejectUnknownKeys()
        return settings
    }

    /// Whether a libpq URL or keyword string carries a password.
    static func containsPassword(_ url: String) -> Bool {
        if url.range(of: #"(^|\s)password\s*="#, options: [.regularExpression, .caseInsensitive]) != nil {
            return true
        }
        if url.range(of: #"[?&]password="#, options: [.regularExpression, .caseInsensitive]) != nil { return true }
        // scheme://user:password@host
        return url.range(of: #"^[a-z]+://[^/@:]*:[^/@]*@"#, options: [.regularExpression, .caseInsensitive]) != nil
    }
}
