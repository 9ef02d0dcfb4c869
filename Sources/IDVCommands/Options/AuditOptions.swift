import ArgumentParser
import IDVRunner

/// `--by` and `--reason`: who did an operator action and why, for `idv.batch_actions`.
struct AuditOptions: ParsableArguments {
    @Option(help: ArgumentHelp("Who does this, for the audit trail (default: $USER@host).", valueName: "name"))
    var by: String?

    @Option(help: ArgumentHelp("Why, for the audit trail and `idv-batch status`.", valueName: "text"))
    var reason: String?

    /// The actor recorded in the audit trail.
    var requester: BatchControl.Requester { BatchControl.Requester(name: by, reason: reason) }
}
