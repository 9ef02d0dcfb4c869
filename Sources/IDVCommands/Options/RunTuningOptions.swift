import ArgumentParser
import IDVRunner

/// How to run rows: the `run` flags without their defaults, so that a flag left out can be taken
/// from a job file (``RunSettings/overriding(_:)``); unset everywhere, ``RunnerConfiguration``'s
/// defaults apply.
struct RunTuningOptions: ParsableArguments {
    @Option(help: ArgumentHelp("Calls in flight at most (default 32).", valueName: "n"))
    var concurrency: Int?

    @Option(
        name: .customLong("max-attempts"),
        help: ArgumentHelp("Counted attempts before a row is failed (default 6; 429s do not count).", valueName: "n"))
    var maxAttempts: Int?

    @Option(
        name: .customLong("on-unknown"),
        help: ArgumentHelp(
            "When a call's outcome is unknown: retry (flag possible duplicate; default) or fail.", valueName: "policy"))
    var onUnknown: UnknownOutcomeOption?

    @Option(
        help: ArgumentHelp("Requests per second per batch, shared by all workers (default: unlimited).", valueName: "r")
    )
    var rate: Double?

    @Option(
        name: .customLong("max-sessions"),
        help: ArgumentHelp("Create at most this many sessions in this run.", valueName: "k"))
    var maxSessions: Int?

    @Option(
        help: ArgumentHelp(
            "Stop claiming at this time: ISO 8601 (2026-11-22T06:00:00Z) or a duration (6h, 90m).", valueName: "when"))
    var deadline: String?

    @Option(
        name: .customLong("grace-period"),
        help: ArgumentHelp("Seconds in-flight calls may finish after SIGINT/SIGTERM (default 30).", valueName: "s"))
    var gracePeriod: Double?

    @Option(
        name: .customLong("lease-seconds"),
        help: ArgumentHelp("Lease length (default: max(120, 3 × request timeout)).", valueName: "s"))
    var leaseSeconds: Double?

    @Option(
        name: .customLong("request-timeout"),
        help: ArgumentHelp("Seconds one Yoti call may take (default 30).", valueName: "s"))
    var requestTimeout: Double?

    @Flag(
        help: ArgumentHelp(
            "Refuse a spec with a value unknown in an open vocabulary (a check, task, topic or document type "
                + "Yoti added after this release). Default: send it with a warning and let Yoti decide."))
    var strict = false
    @Option(
        help: ArgumentHelp(
            "In-Branch letters: a directory to save them in for your own mailer (DIR/<batch>/<external_ref>.pdf, "
                + "mode 0600), or email (Yoti emails them). Default: email (job file run.letters).",
            discussion: "email: after the instructions (which email nobody) the runner asks Yoti, once per row, to "
                + "email the letter to the contact profile's address (POST /sessions/{id}/instructions/email, "
                + "ledger operation ibv_email); the row ends emailed. A spec subscribing to "
                + "INSTRUCTIONS_EMAIL_REQUESTED revokes Yoti's email, so such rows are refused with email: use a "
                + "directory. A directory: GET /sessions/{id}/instructions/pdf saved for your mailer (Yoti sends "
                + "nothing); `sync --letters DIR` saves it again when Yoti notifies INSTRUCTIONS_EMAIL_REQUESTED "
                + "or NEW_PDF_SUPPLIED.",
            valueName: "dir|email"))
    var letters: String?

    @Flag(
        name: .customLong("no-follow-through"),
        help: "Create sessions only: leave In-Branch rows' instructions and letters for `idv-batch instructions`.")
    var noFollowThrough = false

    /// The flags that were given, as settings to layer over a job file's.
    var settings: RunSettings {
        var settings = RunSettings()
        settings.concurrency = concurrency
        settings.maxAttempts = maxAttempts
        settings.onUnknown = onUnknown?.rawValue
        settings.rate = rate
        settings.maxSessions = maxSessions
        settings.deadline = deadline
        settings.gracePeriod = gracePeriod
        settings.leaseSeconds = leaseSeconds
        settings.requestTimeout = requestTimeout
        if strict { settings.strict = true }
        settings.letters = letters
        if noFollowThrough { settings.followThrough = false }
        return settings
    }
}
