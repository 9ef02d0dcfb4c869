/// What an operation (`run`, `instructions`, `sync`) ends with: why it stopped, its exit code and a few
/// lines for a person. The command layer prints it and maps it to the process exit code one way.
package protocol OperationReport: Sendable {
    /// Why the operation stopped.
    var stopReason: RunStopReason { get }
    /// docs/design.md's exit code for the operation (130 when it was interrupted).
    var exitCode: Int32 { get }
    /// A few lines a person can read at a glance.
    func render() -> String
}

extension OperationReport {
    /// Whether a signal stopped the operation (gracefully, or by cancelling it).
    package var wasInterrupted: Bool { stopReason == .interrupted || stopReason == .cancelled }
}

extension RunStopReason {
    /// The exit code of an operation that stopped for this reason: ``exitCode(workLeft:failedRows:)``, and
    /// at least 3 when a result could not be stored (or the selection not tallied).
    /// - Parameter resultsStored: every result reached the database and the selection was tallied.
    package func exitCode(workLeft: Int, failedRows: Int, resultsStored: Bool) -> Int32 {
        let code = exitCode(workLeft: workLeft, failedRows: failedRows)
        return !resultsStored && code < 3 ? 3 : code
    }
}
