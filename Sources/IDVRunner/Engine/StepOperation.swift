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

    var description: String { rawValue }
}
