import Foundation
import IDVLogging
import Logging
import PostgresClient

/// The In-Branch follow-through of the selection: three ``RemoteStep``s run one after the other on the
/// ``StepEngine`` — ``FetchConfigurationStep`` (`pending → configured`), ``PutInstructionsStep``
/// (`configured → sent`), then the letter: ``LetterStep`` (`sent → letter_saved`, `--letters DIR`) or
/// ``RequestEmailStep`` (`sent → emailed`, `--letters email`).
///
/// Each step drains its rows (retries included) before the next starts; the state is in the row, so a
/// crash or a stop between steps resumes where the row stood. A stop other than completion (shutdown,
/// rejected credentials, the database gone, the deadline) ends the follow-through there.
package struct FollowThrough: Sendable {
    /// What one follow-through did, per step, and the selection's follow-through states afterwards.
    package struct Report: OperationReport, Hashable {
        package var stopReason: RunStopReason = .completed
        package var stopDetail: String?
        /// Successes per operation (`ibv_configuration`, `ibv_instructions`, `ibv_letter`, `ibv_email`).
        package var succeeded: [String: Int] = [:]
        /// Rows that failed a step in this run, per operation.
        package var failed: [String: Int] = [:]
        /// Calls made, per operation.
        package var calls: [String: Int] = [:]
        /// Rows of the selection per `instructions_status` at the end (NULL not counted).
        package var states: [String: Int] = [:]
        package var resultsStored = true
        /// Where the letters went, in words (so a run never leaves letters unaccounted for).
        package var letters = ""
        /// Saved letters put back to be fetched again because their session was notified of a new one.
        package var lettersRefetched = 0

        /// Rows still waiting for a follow-through step.
        package var workLeft: Int { ["pending", "configured", "sent"].reduce(0) { $0 + states[$1, default: 0] } }

        /// A few lines a person can read at a glance.
        package func render() -> String {
            let order = ["pending", "configured", "sent", "letter_saved", "emailed", "failed", "not_needed"]
            let now = order.compactMap { state in states[state].map { "\(state) \($0)" } }
            var lines = ["In-Branch follow-through: \(stopReason) (exit \(exitCode))"]
            if let stopDetail { lines.append("  \(stopDetail)") }
            if !letters.isEmpty { lines.append("  letters: \(letters)") }
            if lettersRefetched > 0 {
                lines.append(
                    "  letters fetched again (INSTRUCTIONS_EMAIL_REQUESTED / NEW_PDF_SUPPLIED): \(lettersRefetched)")
            }
            lines.append("  rows now: " + (now.isEmpty ? "none" : now.joined(separator: ", ")))
            let steps = [
                ("configurations", "ibv_configuration"), ("instructions", "ibv_instructions"),
                ("letters saved", "ibv_letter"), ("emails requested", "ibv_email"),
            ]
            lines.append(
                "  steps: "
                    + steps.map { "\($0.0) \(succeeded[$0.1, default: 0]) done/\(failed[$0.1, default: 0]) failed" }
                    .joined(separator: ", "))
            if states["failed", default: 0] > 0 {
                lines.append(
                    "  failed rows: see instructions_error; fix the data, then `idv-batch instructions --batch B --retry-failed`"
                )
            }
            return lines.joined(separator: "\n")
        }

        /// 0 all done, 1 rows failed, 3 database/credentials, 4 deadline with work left, 130 interrupted.
        package var exitCode: Int32 {
            stopReason.exitCode(
                workLeft: workLeft, failedRows: states["failed", default: 0], resultsStored: resultsStored)
        }
    }

    let configuration: RunnerConfiguration
    let database: any RunnerDatabase
    let client: any InstructionsSending
    let delivery: LetterDelivery
    let logger: Logger
    /// How each step shows its progress (`ibv_instructions: 40/120 done (40 sent, …)`); `nil` for none.
    let progress: ProgressReporter.Mode?

    /// - Parameters:
    ///   - configuration: the selection, concurrency, rate, retries and deadline (its `maxSessions` budget
    ///     does not apply: it counts sessions created).
    ///   - client: the IDV client (or a test double).
    ///   - delivery: save letters in a directory, or ask Yoti to email them.
    ///   - progress: how each step shows its progress; `nil` for none.
    package init(
        configuration: RunnerConfiguration, database: any RunnerDatabase, client: any InstructionsSending,
        delivery: LetterDelivery, logger: Logger, progress: ProgressReporter.Mode? = nil
    ) {
        var configuration = configuration
        configuration.maxSessions = nil
        self.configuration = configuration
        self.database = database
        self.client = client
        self.delivery = delivery
        self.logger = logger
        self.progress = progress
    }

    /// Runs the three steps in order and tallies the selection. Never throws: problems are the stop reason.
    /// - Parameter runID: the `idv.runs` row the ledger attempts belong to.
    package func execute(runID: Int64?) async -> Report {
        var report = Report()
        switch delivery {
        case .save(let directory):
            report.letters =
                "saved in \(directory.path)/<batch>/<external_ref>.pdf for your mailer (Yoti emails nobody)"
        case .email:
            report.letters = "Yoti asked to email each applicant's letter to the contact profile's address"
        }
        let waiting: Int
        do {
            if case .save = delivery {
                report.lettersRefetched = try await Self.requeueNotifiedLetters(
                    database: database, batches: configuration.batches)
            }
            waiting = try await Self.waiting(database: database, batches: configuration.batches)
        } catch {
            report.stopReason = .databaseUnavailable
            report.stopDetail = "Could not read the follow-through's rows: \(error)"
            report.resultsStored = false
            return report
        }
        if waiting > 0, await drive(FetchConfigurationStep(client: client), runID: runID, into: &report),
            await drive(PutInstructionsStep(client: client, delivery: delivery), runID: runID, into: &report)
        {
            await reclaimOtherLetterStep()
            switch delivery {
            case .save(let directory):
                _ = await drive(LetterStep(client: client, directory: directory), runID: runID, into: &report)
            case .email:
                _ = await drive(RequestEmailStep(client: client), runID: runID, into: &report)
            }
        }
        do {
            report.states = try await Self.states(database: database, batches: configuration.batches)
        } catch {
            report.resultsStored = false
            logger.error("Could not tally the follow-through", metadata: [LogKey.error: "\(error)"])
        }
        logger.info(
            "Follow-through finished",
            metadata: [
                "stop": "\(report.stopReason)",
                "states":
                    "\(report.states.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: ","))",
            ])
        return report
    }

    /// `sync --letters DIR`: only the letters of sessions notified of a new one
    /// (``requeueNotifiedLetters(database:batches:)``), fetched again and saved over the old ones; with
    /// `.email` delivery nothing is done. Never throws: problems are the stop reason.
    package func refreshLetters(runID: Int64?) async -> Report {
        var report = Report()
        guard case .save(let directory) = delivery else { return report }
        report.letters = "saved in \(directory.path)/<batch>/<external_ref>.pdf for your mailer"
        do {
            report.lettersRefetched = try await Self.requeueNotifiedLetters(
                database: database, batches: configuration.batches)
        } catch {
            report.stopReason = .databaseUnavailable
            report.stopDetail = "Could not read the letters to fetch again: \(error)"
            report.resultsStored = false
            return report
        }
        if report.lettersRefetched > 0 {
            _ = await drive(LetterStep(client: client, directory: directory), runID: runID, into: &report)
        }
        do {
            report.states = try await Self.states(database: database, batches: configuration.batches)
        } catch {
            report.resultsStored = false
        }
        return report
    }

    /// Rows of the selection waiting for (or held by) a follow-through step.
    static func waiting(database: any RunnerDatabase, batches: [String]) async throws -> Int {
        let rows = try await database.query(
            """
            SELECT count(*) AS n FROM idv.verification_requests r
            WHERE ((r.status = 'created' AND r.instructions_status IN ('pending', 'configured', 'sent'))
                   OR r.lease_operation = ANY ($2::text[]))
              AND \(selectionPredicate(column: "r.batch_id", parameter: 1))
            """,
            [.textArray(batches), .textArray(operations.map(\.rawValue))])
        return try rows[0].decode(Int.self, "n")
    }

    /// The follow-through's operations, in order (the last two: the letter, one or the other).
    static let operations: [StepOperation] = [.fetchIBVConfiguration, .putIBVInstructions, .ibvLetter, .ibvEmail]

    /// The notification topics (as Yoti sends them, lower case) after which a session's letter is fetched again.
    static let newLetterTopics = ["instructions_email_requested", "new_pdf_supplied"]

    /// Puts `letter_saved` rows of the selection back to `sent` when the receiver stored an
    /// `INSTRUCTIONS_EMAIL_REQUESTED` or `NEW_PDF_SUPPLIED` notification for their session after their last
    /// letter fetch started (the ledger's last `ibv_letter` success), so ``LetterStep`` fetches the current
    /// letter and replaces the saved one. Run only when letters are saved (`--letters DIR`).
    /// - Returns: how many rows were put back.
    /// - Throws: `PostgresError`.
    package static func requeueNotifiedLetters(database: any RunnerDatabase, batches: [String]) async throws -> Int {
        let rows = try await database.query(
            """
            WITH again AS (
                UPDATE idv.verification_requests r
                SET instructions_status = 'sent', instructions_attempts = 0, instructions_next_at = NULL,
                    instructions_error = NULL, updated_at = now()
                WHERE r.instructions_status = 'letter_saved' AND r.status = 'created' AND r.lease_operation IS NULL
                  AND r.session_id IS NOT NULL
                  AND \(selectionPredicate(column: "r.batch_id", parameter: 1))
                  AND EXISTS (
                      SELECT 1 FROM idv.notifications n
                      WHERE n.session_id = r.session_id AND lower(n.topic) = ANY ($2::text[])
                        AND n.last_received_at > coalesce(
                            (SELECT max(a.started_at) FROM idv.attempts a
                             WHERE a.request_id = r.id AND a.operation = $3 AND a.outcome = $4),
                            '-infinity'::timestamptz))
                RETURNING r.id
            )
            SELECT count(*) AS n FROM again
            """,
            [
                .textArray(batches), .textArray(newLetterTopics), .text(StepOperation.ibvLetter.rawValue),
                .text("letter_saved"),
            ])
        return try rows[0].decode(Int.self, "n")
    }

    /// Makes the selection's `failed` follow-throughs runnable again (after the data was fixed): at the
    /// letter when the instructions were sent last time, else at the instructions (or the configuration,
    /// when it was never fetched). Attempts and the error are reset. `instructions --retry-failed` and
    /// `rerun --follow-through` both use it.
    /// - Returns: how many rows were requeued.
    /// - Throws: `PostgresError`.
    package static func requeueFailed(database: any RunnerDatabase, batches: [String]) async throws -> Int {
        try await requeueFailed(batches: batches) { try await database.query($0, $1) }.values.reduce(0, +)
    }

    /// ``requeueFailed(database:batches:)`` through `query` (a connection inside a transaction, say).
    /// - Returns: the rows requeued per `instructions_status` they are back at (`pending`, `configured`, `sent`).
    static func requeueFailed(
        batches: [String], query: (String, [PostgresValue]) async throws -> PostgresRows
    ) async throws -> [String: Int] {
        let rows = try await query(
            """
            WITH requeued AS (
                UPDATE idv.verification_requests r
                SET instructions_status = CASE
                        WHEN r.ibv_requirements IS NULL THEN 'pending'
                        WHEN (SELECT a.outcome FROM idv.attempts a
                              WHERE a.request_id = r.id AND a.operation = $2 AND a.finished_at IS NOT NULL
                              ORDER BY a.id DESC LIMIT 1) = 'sent' THEN 'sent'
                        ELSE 'configured' END,
                    instructions_attempts = 0,
                    instructions_next_at = NULL,
                    instructions_error = NULL,
                    updated_at = now()
                WHERE r.instructions_status = 'failed' AND r.status = 'created' AND r.lease_operation IS NULL
                  AND \(selectionPredicate(column: "r.batch_id", parameter: 1))
                RETURNING r.instructions_status
            )
            SELECT instructions_status AS state, count(*) AS n FROM requeued GROUP BY 1
            """,
            [.textArray(batches), .text(StepOperation.putIBVInstructions.rawValue)])
        var counts: [String: Int] = [:]
        for row in rows { counts[try row.decode(String.self, "state")] = try row.decode(Int.self, "n") }
        return counts
    }

    /// Rows of `batches` (all when empty) per `instructions_status`.
    /// - Throws: `PostgresError`.
    package static func states(database: any RunnerDatabase, batches: [String]) async throws -> [String: Int] {
        let rows = try await database.query(
            """
            SELECT r.instructions_status AS state, count(*) AS n
            FROM idv.verification_requests r
            WHERE r.instructions_status IS NOT NULL AND \(selectionPredicate(column: "r.batch_id", parameter: 1))
            GROUP BY r.instructions_status
            """, [.textArray(batches)])
        var states: [String: Int] = [:]
        for row in rows { states[try row.decode(String.self, "state")] = try row.decode(Int.self, "n") }
        return states
    }

    /// Hands back rows the other letter step holds for a worker that died mid-call (a run with the other
    /// `--letters`), as that step's engine would (the attempt closed, the row flagged): this run's letter step
    /// then takes them instead of leaving them leased. Best effort: a failure is logged, the run goes on.
    private func reclaimOtherLetterStep() async {
        let (sql, operation) =
            delivery == .email
            ? (LetterStep.statementParts, StepOperation.ibvLetter)
            : (RequestEmailStep.statementParts, StepOperation.ibvEmail)
        let keeper = LeaseKeeper(
            database: database, statements: StepStatements(sql), operation: operation,
            batches: configuration.batches, workerID: configuration.workerID,
            leaseDuration: configuration.leaseDuration, maxAttempts: configuration.maxAttempts)
        do {
            _ = try await keeper.reclaimOrphaned()
        } catch {
            logger.warning(
                "Could not reclaim the other letter step's orphaned leases", metadata: [LogKey.error: "\(error)"])
        }
    }

    /// Runs one step to the end; `false` when the follow-through must stop.
    private func drive<Step: RemoteStep>(_ step: Step, runID: Int64?, into report: inout Report) async -> Bool {
        var logger = logger
        logger[metadataKey: "operation"] = "\(step.operation)"
        // The progress total: rows waiting at this step now (those of later steps are counted by theirs).
        let outlook = try? await StepEngine.outlook(of: step, batches: configuration.batches, database: database)
        let result = await StepEngine.runRegistered(
            step, configuration: configuration, database: database, runID: runID,
            total: outlook.map { $0.pending + $0.inProgress } ?? 0, progress: progress, logger: logger)
        let name = step.operation.rawValue
        report.succeeded[name] = result.counters.succeeded
        report.failed[name] = result.counters.failed
        report.calls[name] = result.counters.callsStarted
        report.resultsStored = report.resultsStored && result.resultsStored
        guard result.stopReason == .completed else {
            report.stopReason = result.stopReason
            report.stopDetail = result.stopDetail
            return false
        }
        return true
    }
}
