/// Which remote step an attempt or a lease belongs to: `idv.attempts.operation` and
/// `verification_requests.lease_operation`. Extensible: each step names its own.
struct StepOperation: Sendable, Hashable, CustomStringConvertible {
    /// The database string.
    let rawValue: String

    init(_ rawValue: String) { self.rawValue = rawValue }

    /// `POST /sessions`: the row becomes `created`.
    static let createSession = StepOperation("create_session")
    /// `DELETE /sessions/{id}`: `expire --delete-remote`.
    static let deleteSession = StepOperation("delete_session")
    /// `GET /sessions/{id}/configuration`: In-Branch follow-through, requirement ids.
    static let fetchIBVConfiguration = StepOperation("ibv_configuration")
    /// `PUT /sessions/{id}/instructions`: In-Branch follow-through, the instructions.
    static let putIBVInstructions = StepOperation("ibv_instructions")
    /// `GET /sessions/{id}/instructions/pdf`: the customer letter, saved.
    static let ibvLetter = StepOperation("ibv_letter")
    /// `POST /sessions/{id}/instructions/email`: Yoti asked to email the customer letter.
    static let ibvEmail = StepOperation("ibv_email")
    /// `GET /sessions/{id}`: `sync`, the session's state and outcome.
    static let sessionResult = StepOperation("session_result")

    var description: String { rawValue }
}
