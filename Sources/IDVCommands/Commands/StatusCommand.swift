import ArgumentParser
import IDVRunner
import PostgresClient

/// `idv-batch status [<batch>]`: where a batch (or every batch) stands.
package struct StatusCommand: AsyncParsableCommand {
    package static let configuration = CommandConfiguration(
        commandName: "status",
        abstract: "Show rows per state, error classes, sessions, retries, runs and reruns of one batch or all.",
        discussion: """
            Without a batch name: a table of one line per batch (rows per state, paused or not, the \
            latest run). With one, its details: rows per state; failed rows per error class with a count and one example (row id, \
            external_ref, last_error); sessions (rows holding one, sessions the attempt ledger recorded, \
            sessions deleted at Yoti); rows flagged as possible duplicates; scheduled retries and the next \
            one; the latest runs and reruns with durations and throughput (sessions per second of the time \
            spent creating them, as the run's own summary says: an In-Branch follow-through after it counts \
            in the duration, not in the rate; expire sweeps: tokens expired and \
            sessions deleted); whether the batch is paused, by whom and why; the latest operator actions \
            (pause, resume, cancel, reissue) with who, why and what they did. Read-only: safe at any time.

            --json prints a stable shape for scripts. schema_version 1: fields are \
            only added under the same version, every key is always present, \
            absent values are null, times are RFC 3339 UTC with milliseconds.
              {"schema_version": 1, "generated_at": TIME, "batches": [{
                "batch_id": ID, "registered_at": TIME|null, "note": TEXT|null,
                "rows": {"total", "pending", "in_progress", "created",
                         "failed", "expired", "cancelled": N},
                "error_classes": [{"class": NAME, "count": N, "example":
                  {"id": N, "external_ref": TEXT, "last_error": TEXT|null,
                   "last_http_status": N|null}}],
                "sessions": {"rows_with_session": N, "created_in_ledger": N,
                             "remote_deleted": N},
                "possible_duplicates": N,
                "retries": {"scheduled": N, "next_at": TIME|null},
                "paused": {"at": TIME, "by": TEXT|null, "reason": TEXT|null}|null,
                "actions": [{"id", "action" (pause|resume|cancel|reissue),
                             "actor", "reason", "at", "details"}],
                "runs": [{"id", "kind" (run|rerun|expire|sync), "worker",
                          "all_batches", "started_at", "finished_at",
                          "duration_seconds", "creating_seconds", "exit_code",
                          "rows_created", "rows_failed", "rows_retried",
                          "sessions_per_second" (over creating_seconds;
                            null for expire and sync),
                          "expired", "remote_deleted" (expire; else null)}],
                "reruns": [{"id", "requested_by", "requested_at", "filters",
                            "rows_requeued", "run_id", "run_duration_seconds",
                            "run_sessions_per_second"}]}]}
            Runs, reruns and actions list the latest 10, newest first; runs over all \
            batches (all_batches true) appear under every batch.

            Exit codes: 0 shown; 2 unknown batch; 3 database unreachable.
            """
    )

    @OptionGroup var database: DatabaseOptions

    @Argument(help: ArgumentHelp("The batch to show (default: every batch).", valueName: "batch-id"))
    var batchID: String?

    @Flag(help: "Print JSON (the documented shape, every batch in full) instead of a table.")
    var json = false

    /// The command with the defaults of every flag; ArgumentParser sets what the command line gives.
    package init() {}

    package func run() async throws {
        try await CommandFailure.exiting {
            let report = try await database.withPool { pool in
                try await BatchStatus(database: pool).report(batchID: batchID)
            }
            print(json ? report.jsonString() : batchID == nil ? report.renderOverview() : report.render())
            return 0
        }
    }
}
