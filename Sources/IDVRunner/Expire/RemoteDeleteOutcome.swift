import YotiClient

/// What became of one `DELETE /sessions/{id}`, as stored in `remote_delete_status`.
///
/// `deleted` and `not_found` (404: already gone) count as deleted and stamp `remote_deleted_at`;
/// `conflict` (409: checks unfinished) and `transient` (5xx, 429, network, unknown outcome) are left
/// for a later sweep; `failed` (another 4xx) is not retried automatically; `credentials` stops the sweep.
struct RemoteDeleteOutcome: Sendable, Hashable {
    /// The `remote_delete_status` value.
    let status: String

    static let deleted = RemoteDeleteOutcome(status: "deleted")
    static let notFound = RemoteDeleteOutcome(status: "not_found")
    static let conflict = RemoteDeleteOutcome(status: "conflict")
    static let transient = RemoteDeleteOutcome(status: ErrorClass.transient.rawValue)
    static let failed = RemoteDeleteOutcome(status: "failed")
    static let credentials = RemoteDeleteOutcome(status: ErrorClass.credentials.rawValue)
    /// Not tried: sync saw the session ONGOING with unfinished checks (a delete would earn a 409).
    static let deferredOngoing = RemoteDeleteOutcome(status: "deferred_ongoing")

    /// Whether the session is gone at Yoti.
    var isGone: Bool { self == .deleted || self == .notFound }

    private init(status: String) { self.status = status }
}
