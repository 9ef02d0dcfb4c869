import Foundation

/// One result to store: the row's new state (applied only while the lease is still ours) and the
/// ledger attempt's ending (always applied). ``WriteBackBuffer`` sends many in one statement.
struct WriteBack<Row: WriteBackRow>: Sendable {
    var requestID: Int64
    var leaseToken: Int64
    var attemptID: Int64

    // The ledger (idv.attempts), unconditional.
    var finishedAt: Date
    var outcome: String
    var httpStatus: Int?
    var yotiCode: String?
    var yotiRequestID: String?
    var ledgerError: String?
    var possibleDuplicate: Bool
    var ledgerSessionID: String?
    /// What the call was actually about (create: the `user_tracking_id` sent); `nil` keeps the claim's.
    var subject: String?

    /// The step's values of the row (conditional on the lease). May hold secrets (a client session
    /// token): never printed.
    var row: Row

    init(
        claimID: Int64, leaseToken: Int64, attemptID: Int64, decision: RetryPolicy.Decision, record: StepRecord<Row>,
        at now: Date
    ) {
        self.requestID = claimID
        self.leaseToken = leaseToken
        self.attemptID = attemptID
        self.finishedAt = now
        self.outcome = decision.ledgerOutcome
        self.httpStatus = decision.httpStatus
        self.yotiCode = decision.yotiCode
        self.yotiRequestID = decision.yotiRequestID
        self.ledgerError = decision.ledgerError
        self.possibleDuplicate = decision.possibleDuplicate
        self.ledgerSessionID = record.ledgerSessionID
        self.subject = record.subject
        self.row = record.row
    }
}

extension WriteBack: CustomStringConvertible {
    /// Leaves out the row's values: they may hold a client session token (entries appear in test failures).
    var description: String {
        "WriteBack(request \(requestID), lease \(leaseToken), attempt \(attemptID), outcome \(outcome), "
            + "http \(httpStatus.map(String.init) ?? "-"), session \(ledgerSessionID ?? "-"), "
            + "possible_duplicate \(possibleDuplicate), error \(ledgerError ?? "-"), row <\(Row.columns.count) values>)"
    }
}
