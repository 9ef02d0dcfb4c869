import ArgumentParser
import Foundation
import IDVCommands
import IDVRunner
import Logging
import PostgresClient
import Synchronization
import UnixSignals
import YotiClient
import YotiSandbox

/// `idv-batch demo`: the whole life of a batch on a throwaway PostgreSQL and the local Yoti sandbox.
package struct DemoCommand: AsyncParsableCommand {
    package static let configuration = CommandConfiguration(
        commandName: "demo",
        abstract: "Everything end to end on a throwaway PostgreSQL and the local Yoti sandbox (about a minute).",
        discussion: """
            Needs no database, no Yoti account and no network: it starts a private PostgreSQL server in a \
            temporary directory (the server binaries must be installed: apt-get install -y postgresql) and \
            the Yoti sandbox in this process on 127.0.0.1, with realistic behaviour (100-300 ms per call, a \
            few percent of 500/503/429 answers, a rate limit), then does what an operator does:

              1. migrate the schema
              2. start the notifications receiver (notifications serve) on loopback
              3. push the sample configurations from jobs/configs (locally and to
                 Yoti Sign), naming that receiver as their notifications endpoint;
                 one In-Branch configuration subscribes to
                 INSTRUCTIONS_EMAIL_REQUESTED (the firm posts those letters)
              4. enqueue synthetic applicants (standard and In-Branch), plus two
                 broken lines
              5. an upstream system inserts rows naming a configuration nobody has
                 pushed yet
              6. run the nightly job (jobs/nightly-onboarding.yml) with live
                 progress, then its summary; In-Branch rows get their instructions
                 sent and Yoti is asked to email their letters (--letters email)
              7. push the missing configuration and rerun what failed
              8. the applicants whose letters the firm posts: their own batch,
                 enqueued and run with --letters DIR (letters saved for a mailer)
              9. sync the results of the sessions the sandbox's applicants finished
             10. an expiry sweep --as-of a moment after every token has expired
             11. status of the batch
            and checks at the end that every row, session, letter (per route) and result is accounted for. Everything it \
            started is stopped and deleted when it ends, fails, or is interrupted (Ctrl-C).

            Each step prints the idv-batch command that does the same against a real database. The demo logs \
            only errors unless --log-level says otherwise (warning shows each failed row as it fails).

            Exit codes: 0 the demo completed and everything adds up; 1 it completed but something does not \
            add up (printed); 2 PostgreSQL binaries missing or bad options; 130/143 interrupted.

            Examples:
              swift run idv-batch demo
              idv-batch demo --rows 500 --latency-ms 20 --jitter-ms 10
            """
    )

    @Option(help: ArgumentHelp("Synthetic applicants to enqueue.", valueName: "n"))
    var rows = 3_000

    @Option(help: ArgumentHelp("Calls in flight (the run's --concurrency).", valueName: "n"))
    var concurrency = 48

    @Option(help: ArgumentHelp("The run's shared rate limit, requests per second.", valueName: "per-second"))
    var rate = 120.0

    @Option(
        name: .customLong("latency-ms"), help: ArgumentHelp("The sandbox's least latency per call.", valueName: "ms"))
    var latencyMilliseconds = 100

    @Option(
        name: .customLong("jitter-ms"),
        help: ArgumentHelp("Extra latency drawn uniformly from 0...ms per call.", valueName: "ms"))
    var jitterMilliseconds = 200

    @Option(
        name: .customLong("fault-percent"),
        help: ArgumentHelp("Share of session creations answered 500, 503 or 429 (5:3:2).", valueName: "percent"))
    var faultPercent = 5.0

    @Option(
        name: .customLong("sandbox-limit"),
        help: ArgumentHelp("The sandbox's own rate limit (429 above it), requests per second.", valueName: "per-second")
    )
    var sandboxLimit = 150.0

    @Option(
        help: ArgumentHelp("Seed for the applicants and the sandbox's faults (same seed, same demo).", valueName: "n"))
    var seed: UInt64 = 20_261_122

    @Option(
        name: .customLong("jobs-dir"),
        help: ArgumentHelp(
            "The repository's jobs/ folder (default: ./jobs, else beside the executable, else /usr/share/idv-batch/jobs).",
            valueName: "path"))
    var jobsDirectory: String?

    @Option(
        name: .customLong("sql-dir"),
        help: ArgumentHelp(
            "The repository's sql/ folder (default: ./sql, else beside the executable, else /usr/share/idv-batch/sql).",
            valueName: "path"))
    var sqlDirectory: String?

    /// Unlike the other commands, the demo logs at `error` unless `--log-level` says otherwise.
    @OptionGroup(title: "Logging") var logging: LogOptions

    /// The command with the defaults of every flag; ArgumentParser sets what the command line gives.
    package init() {}

    package func validate() throws {
        guard rows >= 1 else { throw ValidationError("--rows must be at least 1.") }
        guard concurrency >= 1 else { throw ValidationError("--concurrency must be at least 1.") }
        guard rate > 0, sandboxLimit > 0 else { throw ValidationError("--rate and --sandbox-limit must be positive.") }
        guard latencyMilliseconds >= 0, jitterMilliseconds >= 0 else {
            throw ValidationError("--latency-ms and --jitter-ms must not be negative.")
        }
        guard (0...50).contains(faultPercent) else {
            throw ValidationError("--fault-percent must be between 0 and 50.")
        }
    }

    package func run() async throws {
        try await CommandFailure.exiting {
            var observability = logging.settings()
            observability.logLevel = observability.logLevel ?? "error"
            let (logger, format) = try CommandLogger.make(label: "idv-batch.demo", settings: observability)
            let script = DemoScript(settings: try demoSettings(), logger: logger, allowsLiveLine: format == .text)
            return await Self.runInterruptibly(script)
        }
    }

    private func demoSettings() throws -> DemoScript.Settings {
        let jobs = try DemoScript.locateJobsDirectory(explicit: jobsDirectory)
        let job = try JobFile.load(path: jobs.appendingPathComponent("nightly-onboarding.yml").path)
        let share = faultPercent / 100
        var behaviour = SandboxBehaviour(
            latency: .milliseconds(latencyMilliseconds), jitter: .milliseconds(jitterMilliseconds),
            createRateLimit: sandboxLimit,
            faults: .init(
                internalServerError: share * 0.5, serviceUnavailable: share * 0.3, tooManyRequests: share * 0.2))
        behaviour.seed = seed
        // Applicants: 60% finish (7:2:1 approve, reject, not available) half a second after their session is
        // created, the rest are still at it (one who gave up would make the In-Branch letter answer 409); the
        // sandbox notifies the demo's receiver of each finished session, as Yoti would.
        behaviour.applicants = ApplicantSimulation(
            completeShare: 0.6, expireShare: 0, delay: .milliseconds(500),
            recommendationMix: .init(approve: 7, reject: 2, notAvailable: 1))
        return DemoScript.Settings(
            rows: rows, concurrency: concurrency, rate: rate, seed: seed, behaviour: behaviour,
            jobsDirectory: jobs, migrations: try Migrator.locateDirectory(explicit: sqlDirectory), job: job)
    }

    /// Runs the script; the first SIGINT/SIGTERM cancels it (it then stops and deletes everything it
    /// started), a second one exits at once (the database's watchdog still deletes its files).
    private static func runInterruptibly(_ script: DemoScript) async -> Int32 {
        let signals = await UnixSignalsSequence(trapping: .sigint, .sigterm)
        let interrupted = Mutex<UnixSignal?>(nil)
        let work = Task { await script.run() }
        let watcher = Task {
            for await signal in signals {
                let first = interrupted.withLock { seen in
                    defer { if seen == nil { seen = signal } }
                    return seen == nil
                }
                if first {
                    FileHandle.standardError.write(
                        Data("\nInterrupted: stopping the demo and deleting what it started…\n".utf8))
                    work.cancel()
                } else {
                    FileHandle.standardError.write(Data("Second signal: exiting now.\n".utf8))
                    Foundation.exit(signal == .sigterm ? 143 : 130)
                }
            }
        }
        let code = await work.value
        watcher.cancel()
        guard let signal = interrupted.withLock({ $0 }) else { return code }
        return signal == .sigterm ? 143 : 130
    }
}
