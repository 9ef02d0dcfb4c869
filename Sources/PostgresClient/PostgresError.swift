/// An error from the PostgreSQL layer: connecting, running a statement, or decoding a row.
///
/// Server errors carry the SQLSTATE (`sqlState`, e.g. `23505` for a unique violation) and the
/// server's `message`, `detail` and `hint`. The description never contains a password: connection
/// errors name the target through ``PostgresConfiguration/redactedDescription``.
package struct PostgresError: Error, Sendable, CustomStringConvertible {
    /// What kind of failure this is. Extensible: new codes may be added without breaking callers.
    package struct Code: Hashable, Sendable, CustomStringConvertible {
        private enum Base: String, Hashable, Sendable {
            case invalidConfiguration
            case connectionFailed
            case connectionLost
            case connectionClosed
            case server
            case cancelled
            case invalidParameter
            case columnNotFound
            case unexpectedNull
            case typeMismatch
            case poolShutdown
        }

        private let base: Base
        private init(_ base: Base) { self.base = base }

        /// The connection string or URI could not be parsed.
        package static let invalidConfiguration = Code(.invalidConfiguration)
        /// The server could not be reached or refused the connection (bad host, port, database, credentials).
        package static let connectionFailed = Code(.connectionFailed)
        /// An established connection broke (server restart, `pg_terminate_backend`, network); open a new one.
        package static let connectionLost = Code(.connectionLost)
        /// The connection was closed by this process with ``PostgresConnection/close()``.
        package static let connectionClosed = Code(.connectionClosed)
        /// The server rejected a statement; see ``PostgresError/sqlState``.
        package static let server = Code(.server)
        /// The statement was cancelled (SQLSTATE 57014), e.g. by `statement_timeout` or a cancel request.
        package static let cancelled = Code(.cancelled)
        /// A parameter cannot be sent (for example text containing a NUL character).
        package static let invalidParameter = Code(.invalidParameter)
        /// A row was asked for a column the result does not have.
        package static let columnNotFound = Code(.columnNotFound)
        /// A column was NULL but decoded as a non-optional type.
        package static let unexpectedNull = Code(.unexpectedNull)
        /// A column's PostgreSQL type or text does not fit the requested Swift type.
        package static let typeMismatch = Code(.typeMismatch)
        /// The pool was shut down.
        package static let poolShutdown = Code(.poolShutdown)

        package var description: String { base.rawValue }
    }

    /// What kind of failure this is.
    package var code: Code
    /// A human-readable explanation that says what to do next where we can tell.
    package var message: String
    /// The five-character SQLSTATE for server errors (e.g. `23505`, `42P01`, `57014`), else `nil`.
    package var sqlState: String?
    /// The server's optional DETAIL line (left out of ``description`` for data and constraint errors, whose
    /// detail repeats row values).
    package var detail: String?
    /// The server's optional HINT line.
    package var hint: String?
    /// The server's severity (`ERROR`, `FATAL`, `PANIC`) for server errors.
    package var severity: String?

    /// Creates an error. Callers outside this module rarely need to; it exists for tests and wrappers.
    package init(
        code: Code, message: String, sqlState: String? = nil, detail: String? = nil, hint: String? = nil,
        severity: String? = nil
    ) {
        self.code = code
        self.message = message
        self.sqlState = sqlState
        self.detail = detail
        self.hint = hint
        self.severity = severity
    }

    package var description: String {
        var text = "PostgresError.\(code)"
        if let sqlState { text += " [\(sqlState)]" }
        text += ": \(message)"
        // Data and constraint errors (classes 22, 23) detail the offending values ("Failing row contains
        // (…)": a whole row, client session token included): kept in `detail`, never printed.
        if let detail, !detail.isEmpty, !(sqlState.map { $0.hasPrefix("22") || $0.hasPrefix("23") } ?? false) {
            text += " Detail: \(detail)"
        }
        if let hint, !hint.isEmpty { text += " Hint: \(hint)" }
        return text
    }
}

extension PostgresError {
    /// Well-known SQLSTATE values the project reacts to.
    package enum SQLState {
        /// `23505`: a UNIQUE or PRIMARY KEY constraint was violated.
        package static let uniqueViolation = "23505"
        /// `42P01`: the table or view does not exist.
        package static let undefinedTable = "42P01"
        /// `57014`: the statement was cancelled.
        package static let queryCanceled = "57014"
        /// `57P01`: the server terminated the backend (`pg_terminate_backend`, shutdown).
        package static let adminShutdown = "57P01"
        /// `40001`: serialization failure; the transaction may be retried.
        package static let serializationFailure = "40001"
        /// `40P01`: deadlock detected; the transaction may be retried.
        package static let deadlockDetected = "40P01"
    }
}
