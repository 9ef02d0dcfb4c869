import IDVRunner

/// The `# HELP` text of every metric idv-batch writes, by name.
///
/// swift-prometheus registers metrics made through swift-metrics with empty help, so the exposition is
/// annotated afterwards (``PrometheusTextAnnotator``); a name missing here still gets a generic line.
enum MetricsHelp {
    /// Seconds since the epoch of the last run that ended with exit code 0; kept across failed runs.
    static let runLastSuccess = "idv_run_last_success_timestamp_seconds"
    /// The same for `expire`.
    static let expiryLastSuccess = "idv_expiry_last_success_timestamp_seconds"
    /// The same for `sync`.
    static let syncLastSuccess = "idv_sync_last_success_timestamp_seconds"
    /// The same for `purge`.
    static let purgeLastSuccess = "idv_purge_last_success_timestamp_seconds"

    static let texts: [String: String] = [
        RunMetrics.Name.rows:
            "Rows that reached an outcome in this run, by outcome (created, failed, retry, released).",
        RunMetrics.Name.attempts: "Calls to Yoti in this run, by outcome class and HTTP status.",
        RunMetrics.Name.callDuration: "Duration of one call to Yoti in seconds, by outcome class.",
        RunMetrics.Name.sessionsCreated: "Sessions this run created at Yoti.",
        RunMetrics.Name.possibleDuplicates: "Rows this run flagged as possibly having more than one session at Yoti.",
        RunMetrics.Name.leasesReclaimed: "Rows of dead workers this run put back to pending.",
        RunMetrics.Name.rateLimitWaits: "Sends that waited for the shared rate limit or a 429 pause.",
        RunMetrics.Name.rateLimitWaitSeconds: "Seconds sends spent waiting for the rate limit or a 429 pause.",
        RunMetrics.Name.runDuration: "Wall-clock seconds of the run so far (final at the end).",
        RunMetrics.Name.runExitCode:
            "Exit code of the run (0 done, 1 rows failed, 3 aborted, 4 deadline, 130/143 interrupted).",
        RunMetrics.Name.followThroughRows:
            "In-Branch follow-through rows of this run, by step (operation) and outcome (configured, sent, "
            + "letter_saved, emailed, failed, retry, released).",
        ExpiryMetrics.Name.rowsExpired: "Rows this expiry sweep marked expired.",
        ExpiryMetrics.Name.remoteDeletes: "Session deletions at Yoti by this sweep, by outcome.",
        ExpiryMetrics.Name.sweepDuration: "Wall-clock seconds of the expiry sweep.",
        ExpiryMetrics.Name.exitCode: "Exit code of the expiry sweep (0 done, 1 some deletions failed, 3 aborted).",
        SyncMetrics.Name.results: "Session results sync fetched, by Yoti state (NOT_FOUND: answered 404).",
        SyncMetrics.Name.recommendations: "Completed sessions sync fetched, by overall recommendation.",
        SyncMetrics.Name.failed: "Result fetches that failed for good in this sync (see result_error).",
        SyncMetrics.Name.wanted: "Rows this sync set out to fetch, notified first, then stale or never checked.",
        SyncMetrics.Name.notificationsSettled:
            "Notifications marked processed without a fetch (their session final or checked after them).",
        SyncMetrics.Name.exitCode: "Exit code of the sync (0 done, 1 fetches failed, 3 aborted, 4 deadline).",
        syncLastSuccess: "Unix time of the last sync that ended with exit code 0 (alert when it is too old).",
        runLastSuccess: "Unix time of the last run that ended with exit code 0 (alert when it is too old).",
        expiryLastSuccess: "Unix time of the last expiry sweep that ended with exit code 0 (alert when it is too old).",
        RetentionMetrics.Name.purged:
            "Personal data purge removed, by kind (rows; notifications; sessions asked deleted).",
        RetentionMetrics.Name.letters: "Letter files purge handled, by outcome (deleted, missing, failed).",
        RetentionMetrics.Name.remoteDeletes: "Session deletions at Yoti by purge, by outcome.",
        RetentionMetrics.Name.duration: "Wall-clock seconds of the purge.",
        RetentionMetrics.Name.exitCode: "Exit code of the purge (0 done, 1 some rows not purged, 3 aborted).",
        RetentionMetrics.Name.overdue:
            "Rows past their personal_inputs retention period still holding personal data (held batches excluded); "
            + "0 when purge keeps up.",
        purgeLastSuccess: "Unix time of the last purge that ended with exit code 0 (alert when it is too old).",
    ]

    /// The help of `name`: its text, or a generic line so that no metric goes without one.
    static func text(for name: String) -> String {
        texts[name] ?? "idv-batch metric \(name)."
    }
}
