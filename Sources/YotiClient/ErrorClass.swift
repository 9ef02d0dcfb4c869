/// How a remote step's attempt failed: the one classification the client, the runner, the ledger
/// (`idv.attempts.outcome`), the row (`verification_requests.error_class`), metrics labels and
/// `rerun --only` share. Its ``rawValue`` is the string stored in the database.
///
/// Extensible: new classes may be added without breaking callers (a struct, not a public enum).
package struct ErrorClass: Sendable, Hashable, CustomStringConvertible {
    /// The database string (`rate_limited`); stable.
    package let rawValue: String

    private init(_ rawValue: String) { self.rawValue = rawValue }

    /// The request is wrong and will fail again the same way: 400, 404, 409, 422, other 4xx.
    package static let permanent = ErrorClass("permanent")
    /// Yoti refused the credentials (401, 403): nothing else will succeed either.
    package static let credentials = ErrorClass("credentials")
    /// Too many requests (429): wait `Retry-After` if given, and slow down.
    package static let rateLimited = ErrorClass("rate_limited")
    /// A 5xx or a network failure before the request was sent: safe to retry with backoff.
    package static let transient = ErrorClass("transient")
    /// The request was sent but no usable answer came back: what it asked for may have happened.
    package static let unknownOutcome = ErrorClass("unknown_outcome")
    /// The row's input failed local validation (or named a missing configuration): nothing was sent.
    package static let invalidSpec = ErrorClass("invalid_spec")
    /// Not an API outcome: a client was configured wrongly (bad base URL). Never stored on a row.
    package static let configuration = ErrorClass("configuration")

    /// Not stored: names rows without a class (`error_class IS NULL`) in reports and `rerun --only`.
    package static let unclassified = ErrorClass("unclassified")

    /// The classes a row's `error_class` can hold, in the order people read them.
    package static let stored: [ErrorClass] = [
        .transient, .rateLimited, .permanent, .credentials, .unknownOutcome, .invalidSpec,
    ]

    /// The class stored as `rawValue`, or `nil` for a string no version of the tool writes.
    package init?(rawValue: String) {
        guard let known = (Self.stored + [.configuration, .unclassified]).first(where: { $0.rawValue == rawValue })
        else { return nil }
        self = known
    }

    /// Whether sending the same request again is safe and may succeed.
    package var isSafeToRetry: Bool { self == .transient || self == .rateLimited }

    package var description: String { rawValue }
}
