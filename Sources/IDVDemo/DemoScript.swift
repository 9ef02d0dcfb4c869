import Foundation
import IDVCommands
import IDVRunner
import Logging
import NotificationsReceiver
import PostgresClient
import ServiceLifecycle
import Synchronization
import YotiAPI
import YotiClient
import YotiSandbox

/// The steps of `idv-batch demo`, each printed with the command that does the same for real.
final class DemoScript: Sendable {
    /// What the demo does, from its flags and the sample job file.
    struct Settings: Sendable {
        var rows: Int
        var concurrency: Int
        var rate: Double
        var seed: UInt64
        var behaviour: SandboxBehaviour
        var jobsDirectory: URL
        var migrations: URL
        var job: JobFile
    }

    /// The configuration the "upstream system" rows name before anyone has pushed it.
    static let latecomerConfig = "partner-kyc"

    let settings: Settings
    let logger: Logger
    /// `false` with JSON logs: progress then goes to the log instead of a line rewritten in place.
    let allowsLiveLine: Bool
    let batch: String
    /// The batch of In-Branch applicants whose letters the firm posts (their configuration subscribes to
    /// `INSTRUCTIONS_EMAIL_REQUESTED`, so Yoti emails nobody): loaded and run with `--letters DIR`.
    let postedBatch: String
    /// Where the posted batch's letters are saved (`--letters DIR`); deleted with the rest at the end.
    let lettersDirectory: URL
    /// Where the applicants files are written; deleted with the rest at the end.
    let inputDirectory: URL
    private let steps = 12
    /// The notifications block the demo's configurations get once the receiver listens (endpoint, token).
    private let notifications = Mutex<JSONValue?>(nil)
    private let step = Mutex(0)

    init(settings: Settings, logger: Logger, allowsLiveLine: Bool) {
        self.settings = settings
        self.logger = logger
        self.allowsLiveLine = allowsLiveLine
        self.batch = "demo-" + StatusTime.format(Date()).prefix(10)
        self.postedBatch = batch + "-posted"
        self.lettersDirectory = FileManager.default.temporaryDirectory.appendingPathComponent(
            "idv-demo-letters-\(getpid())-\(UUID().uuidString.prefix(8))")
        self.inputDirectory = FileManager.default.temporaryDirectory.appendingPathComponent(
            "idv-demo-\(getpid())-\(UUID().uuidString.prefix(8))")
    }

    /// Rows the "upstream system" inserts directly (some of every demo, never more than a tenth).
    var upstreamRows: Int { max(1, min(20, settings.rows / 10)) }

    /// Runs every step, then stops and deletes everything it started — also when a step fails or the
    /// task is cancelled. Returns the exit code.
    func run() async -> Int32 {
        let started = ContinuousClock.now
        say("idv-batch demo: a throwaway PostgreSQL and a local Yoti sandbox, end to end.\n")
        let world: DemoWorld
        do {
            world = try await startWorld()
        } catch {
            return report(error)
        }
        let code: Int32
        do {
            code = try await runSteps(in: world)
        } catch {
            code = report(error)
        }
        // Cleaning up must happen even when this task was cancelled: do it in a task of its own.
        await Task { await world.stop() }.value
        try? FileManager.default.removeItem(at: lettersDirectory)
        try? FileManager.default.removeItem(at: inputDirectory)
        say(
            String(
                format: "\nCleaned up: the sandbox and PostgreSQL are stopped and their files deleted (%.0f s in all).",
                (ContinuousClock.now - started).secondsDouble))
        return code
    }

    // MARK: - Steps

    private func startWorld() async throws -> DemoWorld {
        let clock = ContinuousClock.now
        let behaviour = settings.behaviour
        let world = try await DemoWorld.start(behaviour: behaviour, concurrency: settings.concurrency, logger: logger)
        let faults = behaviour.faults
        say(
            String(
                format: "Started a throwaway PostgreSQL (127.0.0.1:%d) and the Yoti sandbox (%@) in %.1f s.",
                world.postgres.port, world.sandbox.idvBaseURL, (ContinuousClock.now - clock).secondsDouble))
        say(
            String(
                format:
                    "The sandbox answers in %d–%d ms, %.1f%% 500, %.1f%% 503, %.1f%% 429, and allows %.0f creations/s.",
                Int(behaviour.latency.secondsDouble * 1000),
                Int((behaviour.latency + behaviour.jitter).secondsDouble * 1000),
                faults.internalServerError * 100, faults.serviceUnavailable * 100, faults.tooManyRequests * 100,
                behaviour.createRateLimit ?? 0))
        return world
    }

    private func runSteps(in world: DemoWorld) async throws -> Int32 {
        try await migrate(world)
        let receiver = try await startReceiver(world)
        let result = await Result { try await stepsWithReceiver(in: world) }
        await receiver.stop()
        return try result.get()
    }

    private func stepsWithReceiver(in world: DemoWorld) async throws -> Int32 {
        try await pushConfigurations(world)
        let enqueued = try await enqueue(world)
        try await upstreamInsert(world)
        let first = try await runNightly(world)
        let rerun = try await fixAndRerun(world)
        let posted = try await runPosted(world)
        let sync = try await sync(world)
        let sweep = try await expire(world)
        let status = try await status(world)
        let postedStatus = try await BatchStatus(database: world.pool).report(batchID: postedBatch).batches.first
        let facts = DemoFacts(
            enqueued: enqueued, upstream: upstreamRows, firstRun: first, rerun: rerun, posted: posted, sweep: sweep,
            status: status, postedSessions: postedStatus?.sessions.createdInLedger ?? 0,
            database: try await DemoFacts.Database.read(pool: world.pool, batch: batch, postedBatch: postedBatch),
            sandbox: world.sandbox.stats(), sync: sync,
            results: try await DemoFacts.Results.read(pool: world.pool, batches: [batch, postedBatch]))
        let check = facts.reconcile()
        say("\n" + check.render())
        return check.isBalanced ? 0 : 1
    }

    private func migrate(_ world: DemoWorld) async throws {
        try header("idv-batch migrate")
        let report = try await world.pool.withConnection { connection in
            try await Migrator(directory: settings.migrations).migrate(on: connection)
        }
        say("Applied \(report.applied.count) migrations from \(settings.migrations.path).")
    }

    private func pushConfigurations(_ world: DemoWorld) async throws {
        for name in [DemoApplicants.standardConfig, DemoApplicants.inBranchConfig] {
            try header("idv-batch configs push jobs/configs/\(name).json --name \(name) --remote")
            try await push(file: name, as: name, world)
        }
        // The same In-Branch configuration, for applicants whose letters the firm posts itself: subscribing to
        // INSTRUCTIONS_EMAIL_REQUESTED revokes Yoti's email (Yoti would notify the firm instead).
        say(
            "The same, with INSTRUCTIONS_EMAIL_REQUESTED added to notifications.topics, as "
                + "\(DemoApplicants.postedConfig): Yoti emails nobody for these sessions; the firm posts the letters.")
        try await push(
            file: DemoApplicants.inBranchConfig, as: DemoApplicants.postedConfig, world,
            topics: ["SESSION_COMPLETION", "INSTRUCTIONS_EMAIL_REQUESTED"])
    }

    /// Pushes `jobs/configs/<file>.json` as `name`, with the receiver's notifications block (`topics`, when
    /// given, replacing its topics).
    private func push(file: String, as name: String, _ world: DemoWorld, topics: [String]? = nil) async throws {
        var spec = try ConfigStore.readSpec(
            path: settings.jobsDirectory.appendingPathComponent("configs/\(file).json").path)
        if case .object(var fields) = spec, var notifications = notifications.withLock({ $0 }) {
            if let topics, case .object(var members) = notifications {
                members["topics"] = .array(topics.map { .string($0) })
                notifications = .object(members)
            }
            fields["notifications"] = notifications
            spec = .object(fields)
        }
        try ConfigStore.validate(name: name, spec: spec)
        let result = try await ConfigStore(database: world.pool).push(
            name: name, spec: spec, isPrivate: false, remote: world.signClient)
        say(result.render())
    }

    /// Starts `notifications serve` on loopback (any free port) with a token made for this demo; the
    /// configurations pushed next name it as their `notifications.endpoint`, so the sandbox's simulated
    /// applicants who finish are announced to it as Yoti would.
    /// The demo's receiver, run in its own service group so that it stops gracefully: its listener closes
    /// first and every connection accepted until then is served and closed (cancelling it instead could drop
    /// a connection accepted at that moment, which SwiftNIO traps on).
    struct ReceiverRun: Sendable {
        let group: ServiceGroup
        let task: Task<Void, Never>

        func stop() async {
            await group.triggerGracefulShutdown()
            await task.value
        }
    }

    private func startReceiver(_ world: DemoWorld) async throws -> ReceiverRun {
        let token = UUID().uuidString + UUID().uuidString
        try header("IDV_NOTIFICATIONS_TOKEN=… idv-batch notifications serve --port 0")
        var configuration = ReceiverConfiguration(token: try ReceiverToken(token, source: "the demo"))
        configuration.port = 0
        let (ports, continuation) = AsyncStream.makeStream(of: Int.self)
        let receiver = NotificationsReceiver(
            configuration: configuration, pool: world.pool, logger: logger,
            onListening: { port in continuation.yield(port) })
        let logger = self.logger
        let group = ServiceGroup(
            configuration: ServiceGroupConfiguration(
                services: [.init(service: receiver)], gracefulShutdownSignals: [], logger: logger))
        let task = Task {
            do {
                try await group.run()
            } catch {
                logger.error("The demo's notifications receiver stopped", metadata: ["error": "\(error)"])
            }
            continuation.finish()
        }
        var iterator = ports.makeAsyncIterator()
        guard let port = await iterator.next() else {
            await ReceiverRun(group: group, task: task).stop()
            throw CommandFailure(exitCode: 1, message: "The demo's notifications receiver did not start.")
        }
        let endpoint = "http://127.0.0.1:\(port)\(configuration.path)"
        notifications.withLock {
            $0 = [
                "endpoint": .string(endpoint), "topics": ["SESSION_COMPLETION"], "auth_type": "BEARER",
                "auth_token": .string(token),
            ]
        }
        say(
            "The receiver listens on \(endpoint); the configurations below name it as notifications.endpoint "
                + "(Bearer token, made for this demo). The sandbox's applicants: 60% finish, the rest are still at it.")
        return ReceiverRun(group: group, task: task)
    }

    /// Waits until the sandbox has announced every session its applicants finished, then fetches results.
    private func sync(_ world: DemoWorld) async throws -> ResultSync.Report {
        let deadline = ContinuousClock.now + .seconds(30)
        while ContinuousClock.now < deadline {
            let stats = world.sandbox.stats()
            let completed = stats.completedByRecommendation.values.reduce(0, +)
            if completed > 0 && stats.notificationsDelivered + stats.notificationsAbandoned >= completed { break }
            try await Task.sleep(for: .milliseconds(100))
        }
        try header("idv-batch sync --batch \(batch) --batch \(postedBatch) --letters \(lettersDirectory.path)")
        var flags = RunSettings()
        flags.batches = [batch, postedBatch]
        flags.concurrency = settings.concurrency
        flags.rate = settings.rate
        var configuration = try flags.overriding(settings.job.run).runnerConfiguration()
        configuration.requestTimeout = .seconds(10)
        let report = await ResultSync(
            configuration: configuration, database: world.pool, fetcher: world.idvClient,
            staleAfter: .seconds(6 * 3600), logger: logger
        ).execute(runID: nil)
        say(report.render())
        // --letters DIR: letters whose session Yoti said has a new one (none here: nobody asked) are saved again.
        let letters = await FollowThrough(
            configuration: configuration, database: world.pool, client: world.idvClient,
            delivery: .save(directory: lettersDirectory), logger: logger
        ).refreshLetters(runID: nil)
        say("Letters fetched again after INSTRUCTIONS_EMAIL_REQUESTED / NEW_PDF_SUPPLIED: \(letters.lettersRefetched)")
        return report
    }

    private func enqueue(_ world: DemoWorld) async throws -> EnqueueReport {
        try header("idv-batch enqueue --batch \(batch) applicants.jsonl")
        try FileManager.default.createDirectory(
            at: inputDirectory, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
        let file = inputDirectory.appendingPathComponent("applicants.jsonl").path
        let valid = try DemoApplicants(count: settings.rows, seed: settings.seed).write(to: file, posted: postedFile)
        say(
            "Wrote \(valid) applicants (every fourth one In-Branch, with an applicant profile and the document to "
                + "bring) and \(DemoApplicants.brokenLines) broken lines."
        )
        let report = try await Enqueuer(
            database: world.pool, options: Enqueuer.Options(batchID: batch, format: .jsonLines)
        )
        .load(try .file(file))
        say(report.render())
        return report
    }

    private func upstreamInsert(_ world: DemoWorld) async throws {
        try header("an upstream system: INSERT INTO idv.verification_requests (batch_id, external_ref, config_name) …")
        _ = try await world.pool.query(
            """
            INSERT INTO idv.verification_requests (batch_id, external_ref, config_name)
            SELECT $1, 'partner-' || lpad(g::text, 4, '0'), $2 FROM generate_series(1, $3::int) AS g
            """,
            [.text(batch), .text(Self.latecomerConfig), .integer(Int32(upstreamRows))])
        say(
            "\(upstreamRows) rows name the configuration \"\(Self.latecomerConfig)\", which nobody has pushed yet: the run will fail them, with the reason."
        )
    }

    private func runNightly(_ world: DemoWorld) async throws -> RunSummary {
        try header(
            String(
                format:
                    "idv-batch run --job jobs/nightly-onboarding.yml --batch %@ --concurrency %d --rate %g --letters email",
                batch, settings.concurrency, settings.rate))
        return try await runBatch(world)
    }

    /// The posted applicants' file (written with the nightly one).
    private var postedFile: String { inputDirectory.appendingPathComponent("posted.jsonl").path }

    /// The applicants whose letters the firm posts: their own batch, loaded and run with `--letters DIR`.
    private func runPosted(_ world: DemoWorld) async throws -> (enqueued: EnqueueReport, summary: RunSummary) {
        try header(
            "idv-batch enqueue --batch \(postedBatch) --letters \(lettersDirectory.path) posted.jsonl && "
                + "idv-batch run --job jobs/nightly-onboarding.yml --batch \(postedBatch) --letters \(lettersDirectory.path)"
        )
        var options = Enqueuer.Options(batchID: postedBatch, format: .jsonLines)
        options.letters = .save(directory: lettersDirectory)
        let enqueued = try await Enqueuer(database: world.pool, options: options).load(try .file(postedFile))
        say(enqueued.render())
        let summary = try await runBatch(world, batch: postedBatch, letters: lettersDirectory.path)
        return (enqueued, summary)
    }

    private func fixAndRerun(_ world: DemoWorld) async throws -> (requeued: Rerunner.Result, summary: RunSummary?) {
        try header(
            "idv-batch configs push jobs/configs/standard-doc-liveness.json --name \(Self.latecomerConfig), then idv-batch rerun \(batch)"
        )
        try await push(file: DemoApplicants.standardConfig, as: Self.latecomerConfig, world)
        let rerunner = Rerunner(pool: world.pool)
        let requeued = try await rerunner.requeue(batchID: batch, filter: RerunFilter(), requestedBy: "idv-batch demo")
        say(requeued.render())
        guard requeued.rowsRequeued > 0, let rerunID = requeued.rerunID else { return (requeued, nil) }
        let summary = try await runBatch(world)
        if let runID = summary.runID { try await rerunner.recordRun(rerunID: rerunID, runID: runID) }
        return (requeued, summary)
    }

    /// Runs `batch` (default the nightly one) with `--letters letters` (default email).
    private func runBatch(_ world: DemoWorld, batch: String? = nil, letters: String = "email") async throws
        -> RunSummary
    {
        var flags = RunSettings()
        flags.batches = [batch ?? self.batch]
        flags.concurrency = settings.concurrency
        flags.rate = settings.rate
        flags.letters = letters
        var configuration = try flags.overriding(settings.job.run).runnerConfiguration()
        configuration.requestTimeout = .seconds(10)
        let runner = Runner(
            configuration: configuration, database: world.pool, client: world.idvClient, logger: logger,
            allowsLiveLine: allowsLiveLine)
        let summary = try await runner.execute()
        say(summary.render())
        return summary
    }

    private func expire(_ world: DemoWorld) async throws -> ExpirySweepReport {
        // A moment after the last token expires: the sweep then finds every session of the batch due.
        let latest =
            try await world.pool.query(
                "SELECT EXTRACT(EPOCH FROM max(token_expires_at))::float8 AS latest FROM idv.verification_requests WHERE batch_id = $1",
                [.text(batch)]
            ).first.flatMap { try $0.decode(Double?.self, "latest") } ?? Date().timeIntervalSince1970
        let asOf = Date(timeIntervalSince1970: latest.rounded(.up) + 60)
        try header("idv-batch expire --batch \(batch) --as-of \(StatusTime.format(asOf))")
        let report = try await ExpirySweeper(
            database: world.postgres.configuration, options: ExpirySweeper.Options(batches: [batch], asOf: asOf),
            logger: logger
        ).sweep()
        say(report.render())
        return report
    }

    private func status(_ world: DemoWorld) async throws -> BatchStatusReport.Batch {
        try header("idv-batch status \(batch)")
        let report = try await BatchStatus(database: world.pool).report(batchID: batch)
        say(report.render())
        guard let status = report.batches.first else {
            throw CommandFailure(exitCode: 1, message: "status did not list the demo's batch \(batch).")
        }
        return status
    }

    // MARK: - Output

    /// Writes a line to standard output at once (not buffered), so steps and the log lines on standard
    /// error stay in order when both are piped to one file.
    private func say(_ text: String) {
        FileHandle.standardOutput.write(Data((text + "\n").utf8))
    }

    /// Prints the next step's header, unless the demo was interrupted.
    private func header(_ command: String) throws {
        try Task.checkCancellation()
        let number = step.withLock { value in
            value += 1
            return value
        }
        say("\n[\(number)/\(steps)] $ \(command)")
    }

    private func report(_ error: any Error) -> Int32 {
        if error is CancellationError { return 130 }
        let failure = CommandFailure(error)
        _ = failure.exit()
        return failure.exitCode
    }

    /// The repository's `jobs/` folder: `explicit`, else where ``InstalledFolder`` looks.
    static func locateJobsDirectory(explicit: String?, executable: URL? = Bundle.main.executableURL) throws -> URL {
        func holdsJob(_ url: URL) -> Bool {
            FileManager.default.fileExists(atPath: url.appendingPathComponent("nightly-onboarding.yml").path)
        }
        if let explicit {
            let url = URL(fileURLWithPath: explicit)
            guard holdsJob(url) else {
                throw CommandFailure(
                    exitCode: 2,
                    message:
                        "--jobs-dir \(url.path) holds no nightly-onboarding.yml; point it at the repository's jobs/ folder."
                )
            }
            return url
        }
        let candidates = InstalledFolder.candidates(named: "jobs", executable: executable)
        guard let found = candidates.first(where: holdsJob) else {
            throw CommandFailure(
                exitCode: 2,
                message:
                    "The demo uses the sample job and configurations in the repository's jobs/ folder and found none "
                    + "(looked in ./jobs, beside the executable and the folders above it, and /usr/share/idv-batch/jobs). "
                    + "Run it from the repository, install the idv-batch package, or pass --jobs-dir PATH."
            )
        }
        return found
    }
}
