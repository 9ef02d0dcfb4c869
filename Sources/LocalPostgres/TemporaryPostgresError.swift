/// Why a ``TemporaryPostgres`` could not be started.
public struct TemporaryPostgresError: Error, Sendable, CustomStringConvertible {
    /// The kind of failure. Extensible: new codes may be added without breaking callers.
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        private enum Base: String, Hashable, Sendable {
            case binariesNotFound, initdbFailed, startFailed
        }

        private let base: Base
        private init(_ base: Base) { self.base = base }

        /// `initdb`, `pg_ctl` or `postgres` is not installed.
        public static let binariesNotFound = Code(.binariesNotFound)
        /// `initdb` failed.
        public static let initdbFailed = Code(.initdbFailed)
        /// The server did not start or did not become ready.
        public static let startFailed = Code(.startFailed)

        public var description: String { base.rawValue }
    }

    /// The kind of failure.
    public let code: Code
    /// What went wrong and what to do about it.
    public let message: String

    public var description: String { "TemporaryPostgresError.\(code): \(message)" }
}
