import Foundation
import IDVCommands
import LocalPostgres
import PostgresClient
import SystemSupport
import YotiAPI

extension Benchmark {
    /// The named configuration of the In-Branch rows: the bench spec, In-Branch, one ID document.
    static let inBranchConfigName = "bench-ibv"

    /// What the follow-through run (figure 8) did and cost.
    struct FollowThroughRun: Sendable {
        var rows: Int
        var concurrency: Int
        /// The `instructions` process (CPU from `wait4`, start-up included).
        var process: SpawnedProcess.Termination
        /// The follow-through's own time (`idv.runs` start to finish), seconds.
        var runnerSeconds: Double
        /// Instructions PUTs and letters saved, from the ledger.
        var instructionsSent: Int
        var lettersSaved: Int
        /// Rows per second of runner time.
        var throughput: Double { runnerSeconds > 0 ? Double(rows) / runnerSeconds : 0 }
    }

    /// Creates `rows` In-Branch sessions (`run --no-follow-through`), then times `idv-batch instructions
    /// --letters DIR` over them alone with the sandbox answering after ``boundLatency``.
    /// - Throws: ``CommandFailure`` (exit 3) when a process fails or a row does not end `letter_saved`.
    func runFollowThrough(rows: Int, concurrency: Int) async throws -> FollowThroughRun {
        let batch = "bench-ibv"
        var spec = Self.spec
        if case .object(var object) = spec {
            object["ibv_options"] = ["support": "MANDATORY"]
            object["required_documents"] = [["type": "ID_DOCUMENT"]]
            spec = .object(object)
        }
        _ = try await pool.query(
            "INSERT INTO idv.session_configs (name, spec, ibv_defaults) VALUES ($1, $2::jsonb, $3::jsonb)",
            [
                .text(Self.inBranchConfigName), .jsonb(spec.jsonString()),
                .jsonb(
                    #"{"branch": {"type": "UK_POST_OFFICE"}, "documents": [{"type": "ID_DOCUMENT", "document_type": "PASSPORT", "country_code": "GBR"}]}"#
                ),
            ])
        _ = try await pool.execute(
            """
            INSERT INTO idv.verification_requests (batch_id, external_ref, config_name, ibv_instructions)
            SELECT $1, 'r' || g, $2, jsonb_build_object('contact_profile', jsonb_build_object(
                'first_name', 'Bench', 'last_name', 'Applicant' || g, 'email', 'r' || g || '@example.com'))
            FROM generate_series(1, $3::int) AS g
            """, [.text(batch), .text(Self.inBranchConfigName), .int(rows)])
        _ = try await pool.execute("ANALYZE idv.verification_requests")
        let letters = FileManager.default.temporaryDirectory.appendingPathComponent(
            "idv-bench-letters-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: letters) }
        try sandbox.setBehaviour(.latency(Self.boundLatency))
        sandbox.reset()
        let common = [
            "--batch", batch, "--api-url", sandbox.idvBaseURL, "--concurrency", "\(concurrency)", "--log-level",
            "warning",
        ]
        _ = try await worker(
            [executable, "run", "--no-follow-through"] + common, step: "ibv-create")
        let process = try await worker(
            [executable, "instructions", "--letters", letters.path] + common, step: "ibv-follow-through")
        let row = try await pool.query(
            """
            SELECT (SELECT EXTRACT(EPOCH FROM max(finished_at - started_at))::float8 FROM idv.runs
                    WHERE $1 = ANY (batch_ids) AND details ->> 'follow_through_only' = 'true') AS seconds,
                   (SELECT count(*) FROM idv.attempts WHERE batch_id = $1 AND operation = 'ibv_instructions'
                        AND outcome = 'sent') AS sent,
                   (SELECT count(*) FROM idv.verification_requests WHERE batch_id = $1
                        AND instructions_status = 'letter_saved') AS saved
            """, [.text(batch)])[0]
        let run = FollowThroughRun(
            rows: rows, concurrency: concurrency, process: process,
            runnerSeconds: try row.decode(Double?.self, "seconds") ?? 0,
            instructionsSent: try row.decode(Int.self, "sent"),
            lettersSaved: try row.decode(Int.self, "saved"))
        guard run.lettersSaved == rows else {
            throw CommandFailure(
                exitCode: 3, message: "Benchmark step ibv: expected \(rows) letters saved, found \(run.lettersSaved).")
        }
        return run
    }

    /// Runs one `idv-batch` process to its end.
    /// - Throws: ``CommandFailure`` (exit 3) with the end of its output when it exits non-zero.
    private func worker(_ arguments: [String], step: String) async throws -> SpawnedProcess.Termination {
        let process = try SpawnedProcess.start(arguments, environment: childEnvironment, name: step)
        let termination = try await process.wait(samplingPeakMemory: true)
        guard termination.status == 0 else {
            throw CommandFailure(
                exitCode: 3,
                message: "Benchmark step \(step): `idv-batch \(arguments[1])` exited \(termination.status):\n"
                    + termination.output.split(separator: "\n").suffix(15).joined(separator: "\n"))
        }
        return termination
    }

    /// Figure 8: the In-Branch follow-through against the same window ideal as figure 1, and its CPU per row.
    ///
    /// Each row makes three calls — `GET …/configuration`, `PUT …/instructions`, `GET …/instructions/pdf` —
    /// and the three steps run one after the other, each draining before the next. A window of C calls
    /// answering after L does at most C / L calls per second, so N rows take at least 3·N·L / C: the ideal
    /// is C / (3·L) rows per second (figure 1's C / L, divided by the three calls each row needs).
    func followThroughFigures(_ run: FollowThroughRun, signature: Double) -> [BenchFigure] {
        let ideal = Double(run.concurrency) / (3 * Self.boundLatency.secondsDouble)
        let perRow = run.process.cpuSeconds / Double(max(run.rows, 1))
        return [
            BenchFigure(
                id: "8a", name: "In-Branch follow-through, 100 ms, c=\(run.concurrency)", measured: run.throughput,
                unit: "rows/s", baseline: ideal, baselineUnit: "rows/s", ratio: run.throughput / ideal,
                goal: .ratioAtLeast(0.9),
                note:
                    "\(BenchFigure.grouped(Double(run.rows))) rows in \(String(format: "%.1f", run.runnerSeconds)) s; "
                    + "ideal C / (3·L): three calls per row (configuration GET, instructions PUT, letter GET), the "
                    + "steps one after the other, each drained before the next (one L of tail each); "
                    + "\(run.instructionsSent) instructions sent, \(run.lettersSaved) letters saved (fsynced)"),
            BenchFigure(
                id: "8b", name: "follow-through CPU per row ÷ 3 signatures", measured: perRow * 1000, unit: "ms",
                baseline: 3 * signature * 1000, baselineUnit: "ms", ratio: perRow / (3 * signature),
                note: String(
                    format: "wait4 rusage of the `instructions` process (start-up included): %.2f s for %@ rows; "
                        + "a row signs three requests, parses the configuration, plans the body and writes a letter",
                    run.process.cpuSeconds, BenchFigure.grouped(Double(run.rows)))),
        ]
    }
}
