/// Why a ``TemporaryPostgres`` could not be started.
package struct TemporaryPostgresError: Error, Sendable, CustomStringConvertible {
    /// The kind of failure. Extensible: new codes may be added without breaking callers.
    package struct Code: Hashable, Sendable, CustomStringConvertible {
        private enum Base: String, Hashable, Sendable {
            case binariesNotFound, initdbFailed, startFailed
        }

        private let base: Base
        private init(_ base: Base) { self.base = base }

        /// `initdb`, `pg_ctl` or `postgres` is not installed.
        package static let binariesNotFound = Code(.binariesNotFound)
        /// `initdb` failed.
        package static let initdbFailed = Code(.initdbFailed)
        /// The server did not start or did not become ready.
        package static let startFailed = Code(.startFailed)

        package var description: String { base.rawValue }
    }

    /// The kind of failure.
    package let code: Code
    /// What went wrong and what to do about it.
    package let message: String

    package var description: String { "TemporaryPostgresError.\(code): \(message)" }
}
