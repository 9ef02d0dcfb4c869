import ArgumentParser
import Foundation
import IDVCommands

/// `idv-batch bench`: measures the runner against its ideals in one run and prints one table.
package struct BenchCommand: AsyncParsableCommand {
    package static let configuration = CommandConfiguration(
        commandName: "bench",
        abstract:
            "Measure throughput, CPU, signing, memory, statements, sweep, claim, rate-limit and enqueue figures in one run.",
        discussion: """
            Starts a throwaway PostgreSQL (initdb; the server binaries must be installed) and the Yoti sandbox \
            in this process on 127.0.0.1, with a throwaway RSA-2048 application key; migrates, generates the \
            rows with set-based SQL, runs `idv-batch run` workers as child processes of this executable, and \
            prints one table. Each figure is a ratio of two things measured in this same run (absolute times on \
            shared machines drift): the goal column says what it should be, the result column whether it is.

            Figures:
              1  sessions/s at sandbox latency 100 ms ÷ concurrency / latency (c=64 and c=256)
              2  runner CPU per created session ÷ CPU of one RSA-2048 PKCS#1 v1.5 signature (latency 0);
                 the runner's request signature ÷ `openssl speed -seconds 3 rsa2048` (skipped without
                 `openssl`); the sandbox's CPU per request ÷ the runner's CPU per session
              3  runner peak RSS at the larger batch ÷ at the smaller (latency 0)
              4  PostgreSQL statements per created session at c=64 (write-backs, claims, all)
              5  expiry sweep time ÷ one bare UPDATE of the same rows; longest statement; sweep with nothing due
              6  claim latency with millions of finished rows ÷ with none (and the claim's EXPLAIN)
              7  four workers sharing --rate 200: busiest 1-s window and mean at the sandbox
              8  In-Branch follow-through (`instructions --letters DIR`) at latency 100 ms, c=64: rows/s ÷ \
            C / (3·L) (three calls per row: configuration GET, instructions PUT, letter GET), and CPU per row \
            ÷ three signatures
              9  sync results/s at sandbox latency 100 ms ÷ concurrency / latency (c=64)
              10 `notifications serve` (a child process) under wrk on loopback: notifications stored per
                  second, and the receiver's CPU per notification (/proc/<pid>/stat). Needs wrk
                  (Debian: apt-get install -y wrk); without it the figure is skipped with a note.
              11 `idv-batch enqueue` of 1,000,000 applicant rows ÷ PostgreSQL's COPY of the same file
                  (JSON Lines and CSV; --enqueue-rows for other sizes)

            The default sizes take a few minutes on a 2-core machine; --quick uses small sizes (well under a \
            minute) and the same code paths. Build in release for real figures:
              swift build -c release && .build/release/idv-batch bench

            Exit codes: 0 the benchmark ran (whatever the figures say), 2 usage, 3 a step failed.
            """
    )

    @Flag(help: "Small sizes (well under a minute): the same code paths, for a smoke test.")
    var quick = false

    @Flag(help: "Print the report as JSON instead of a table.")
    var json = false

    @Option(
        name: .customLong("only"),
        help: ArgumentHelp("Run only these figures, comma-separated (1-11), e.g. --only 1,4.", valueName: "n,..."))
    var only: String?

    @Option(
        name: .customLong("memory-rows"),
        help: ArgumentHelp(
            "Rows of figure 3's larger run (default 100,000; the issue's 500,000 adds several minutes).", valueName: "n"
        ))
    var memoryRows: Int?

    @Option(
        name: .customLong("enqueue-rows"),
        help: ArgumentHelp("Rows of figure 11's files (default 1,000,000; --quick 20,000).", valueName: "n"))
    var enqueueRows: Int?

    @Option(
        name: .customLong("sql-dir"),
        help: ArgumentHelp(
            "Directory holding the migrations (default: found as `idv-batch migrate` does).", valueName: "path"))
    var sqlDirectory: String?

    /// The command with the defaults of every flag; ArgumentParser sets what the command line gives.
    package init() {}

    package func validate() throws {
        _ = try selectedFigures()
        if let memoryRows, memoryRows < 1_000 {
            throw ValidationError("--memory-rows must be at least 1,000")
        }
        if let enqueueRows, enqueueRows < 100 {
            throw ValidationError("--enqueue-rows must be at least 100")
        }
    }

    package func run() async throws {
        try await CommandFailure.exiting(execute)
    }

    /// The figure numbers to run.
    /// - Throws: `ValidationError` for anything but numbers 1–8.
    func selectedFigures() throws -> Set<Int> {
        guard let only else { return Set(1...11) }
        let parts = only.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }
        let numbers = parts.compactMap(Int.init)
        guard !parts.isEmpty, numbers.count == parts.count, numbers.allSatisfy((1...11).contains) else {
            throw ValidationError("--only takes figure numbers from 1 to 8 separated by commas, e.g. --only 1,4")
        }
        return Set(numbers)
    }

    private func execute() async throws -> Int32 {
        let figures = try selectedFigures()
        var sizes: BenchSizes = quick ? .quick : .standard
        if let memoryRows { sizes.memoryRows = memoryRows }
        if let enqueueRows { sizes.enqueueRows = enqueueRows }
        let started = ContinuousClock.now
        let startedAt = Date().formatted(.iso8601)
        progress("starting PostgreSQL and the sandbox")
        let benchmark = try await Benchmark.start(sizes: sizes, sqlDirectory: sqlDirectory)
        let outcome = await Result(catching: { try await measure(figures, on: benchmark) })
        await benchmark.shutdown()
        let (rows, plan) = try outcome.get()
        let report = BenchReport(
            mode: quick ? "quick" : "default", startedAt: startedAt, machine: .current(), figures: rows,
            sizes: sizes.summary, claimPlan: plan, durationSeconds: (ContinuousClock.now - started).secondsDouble)
        print(json ? try report.renderJSON() : report.renderTable())
        return 0
    }

    /// Runs the selected figures in an order that lets steps share runs and keeps figure 6's empty side empty.
    private func measure(_ selected: Set<Int>, on benchmark: Benchmark) async throws -> ([BenchFigure], String?) {
        let sizes = benchmark.sizes
        var emptyClaims: [Benchmark.ClaimSelection: Benchmark.ClaimCost] = [:]
        if selected.contains(6) {
            progress("figure 6: claims with no history")
            for selection in Benchmark.ClaimSelection.allCases {
                emptyClaims[selection] = try await benchmark.claimCost(label: "empty", selection: selection)
            }
        }
        var figures: [BenchFigure] = []
        if !selected.isDisjoint(with: [1, 4]) {
            progress("figure 1: \(sizes.latencyRows) rows, latency 100 ms, c=64")
            let run = try await benchmark.runWorkers(
                step: "latency-c64", rows: sizes.latencyRows, concurrency: 64, latency: Benchmark.boundLatency)
            if selected.contains(1) {
                figures.append(benchmark.latencyEfficiency(run, concurrency: 64, id: "1a", goal: .ratioAtLeast(0.95)))
                progress("figure 1: \(sizes.latencyRows) rows, latency 100 ms, c=256")
                let wide = try await benchmark.runWorkers(
                    step: "latency-c256", rows: sizes.latencyRows, concurrency: 256, latency: Benchmark.boundLatency)
                figures.append(benchmark.latencyEfficiency(wide, concurrency: 256, id: "1b", goal: nil))
            }
            if selected.contains(4) { figures += benchmark.statementCosts(run) }
        }
        if !selected.isDisjoint(with: [2, 3]) {
            progress("figures 2, 3: \(sizes.cpuRows) rows, latency 0, c=64")
            let run = try await benchmark.runWorkers(step: "cpu", rows: sizes.cpuRows, concurrency: 64, latency: .zero)
            if selected.contains(2) {
                progress("figure 2: timing \(sizes.signatures) signatures")
                figures += benchmark.cpuPerSession(run, signature: try await benchmark.signatureCPUSeconds())
                progress("figure 2: the runner's signature and `openssl speed -seconds 3 rsa2048`")
                figures.append(try await benchmark.signatureAgainstOpenSSL())
                figures.append(benchmark.sandboxAgainstRunner(run))
            }
            if selected.contains(3) {
                progress("figure 3: \(sizes.memoryRows) rows, latency 0, c=64")
                let large = try await benchmark.runWorkers(
                    step: "memory", rows: sizes.memoryRows, concurrency: 64, latency: .zero)
                figures += benchmark.memoryFlatness(small: run, large: large)
            }
        }
        if selected.contains(7) {
            progress("figure 7: \(sizes.rateRows) rows, 4 workers, --rate 200")
            let run = try await benchmark.runWorkers(
                step: "rate", rows: sizes.rateRows, workers: 4, concurrency: 16, latency: .zero,
                rate: Benchmark.sharedRate)
            figures += benchmark.rateAccuracy(run)
        }
        if selected.contains(8) {
            progress("figure 8: \(sizes.followThroughRows) In-Branch rows, latency 100 ms, c=64")
            let run = try await benchmark.runFollowThrough(rows: sizes.followThroughRows, concurrency: 64)
            figures += benchmark.followThroughFigures(run, signature: try await benchmark.signatureCPUSeconds())
        }
        if selected.contains(9) {
            progress("figure 9: syncing \(sizes.syncRows) session results at latency 100 ms")
            figures += try await benchmark.syncThroughput()
        }
        if selected.contains(5) {
            progress("figure 5: sweeping \(sizes.sweepRows) expired tokens")
            figures += try await benchmark.expirySweep()
        }
        if selected.contains(10) {
            let seconds = sizes.receiverSeconds
            progress("figure 10: wrk against `notifications serve` for \(seconds) s")
            if let receiver = try await benchmark.receiverThroughput(seconds: seconds) {
                figures += receiver
            } else {
                progress("figure 10 skipped: wrk is not installed (Debian: apt-get install -y wrk)")
            }
        }
        var plan: String?
        if selected.contains(6) {
            progress("figure 6: building \(sizes.historyRows) finished rows")
            let history = try await benchmark.buildHistory()
            progress("figure 6: claims with the history")
            for selection in Benchmark.ClaimSelection.allCases {
                let loaded = try await benchmark.claimCost(label: "history", selection: selection)
                guard let empty = emptyClaims[selection] else { continue }
                figures.append(benchmark.claimFigure(selection, empty: empty, history: loaded, historyRows: history))
            }
            plan = try await benchmark.claimPlan()
        }
        // Last: its millions of pending rows in other batches must not meet the claims of figures 1-7.
        if selected.contains(11) {
            progress("figure 11: enqueue and COPY of \(sizes.enqueueRows) applicant rows, JSON Lines and CSV")
            figures += try await benchmark.enqueueAgainstCopy()
        }
        figures.sort { $0.id.localizedStandardCompare($1.id) == .orderedAscending }
        return (figures, plan)
    }

    private func progress(_ message: String) {
        FileHandle.standardError.write(Data("bench: \(message)…\n".utf8))
    }
}
