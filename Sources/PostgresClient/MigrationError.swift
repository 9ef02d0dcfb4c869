/// Why migrations could not be applied. Every message names the file involved and the fix.
public struct MigrationError: Error, Sendable, CustomStringConvertible {
    /// The kind of failure. Extensible: new codes may be added without breaking callers.
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        private enum Base: String, Hashable, Sendable {
            case directoryNotFound, invalidFile, duplicateVersion, changedMigration, unknownAppliedMigration, failed
        }

        private let base: Base
        private init(_ base: Base) { self.base = base }

        /// No migrations directory was found.
        public static let directoryNotFound = Code(.directoryNotFound)
        /// A `.sql` file in the directory is misnamed or unreadable.
        public static let invalidFile = Code(.invalidFile)
        /// Two files share a version number.
        public static let duplicateVersion = Code(.duplicateVersion)
        /// A file that was already applied has changed since.
        public static let changedMigration = Code(.changedMigration)
        /// The database has a migration applied that the directory does not contain.
        public static let unknownAppliedMigration = Code(.unknownAppliedMigration)
        /// A migration's SQL failed; it was rolled back.
        public static let failed = Code(.failed)

        public var description: String { base.rawValue }
    }

    /// The kind of failure.
    public let code: Code
    /// What went wrong and what to do about it.
    public let message: String
    /// The database error behind a `.failed` migration.
    public let underlying: PostgresError?

    package init(code: Code, message: String, underlying: PostgresError? = nil) {
        self.code = code
        self.message = message
        self.underlying = underlying
    }

    public var description: String { message }
}
