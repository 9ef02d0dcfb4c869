/// Why migrations could not be applied. Every message names the file involved and the fix.
package struct MigrationError: Error, Sendable, CustomStringConvertible {
    /// The kind of failure. Extensible: new codes may be added without breaking callers.
    package struct Code: Hashable, Sendable, CustomStringConvertible {
        private enum Base: String, Hashable, Sendable {
            case directoryNotFound, invalidFile, duplicateVersion, changedMigration, unknownAppliedMigration, failed
        }

        private let base: Base
        private init(_ base: Base) { self.base = base }

        /// No migrations directory was found.
        package static let directoryNotFound = Code(.directoryNotFound)
        /// A `.sql` file in the directory is misnamed or unreadable.
        package static let invalidFile = Code(.invalidFile)
        /// Two files share a version number.
        package static let duplicateVersion = Code(.duplicateVersion)
        /// A file that was already applied has changed since.
        package static let changedMigration = Code(.changedMigration)
        /// The database has a migration applied that the directory does not contain.
        package static let unknownAppliedMigration = Code(.unknownAppliedMigration)
        /// A migration's SQL failed; it was rolled back.
        package static let failed = Code(.failed)

        package var description: String { base.rawValue }
    }

    /// The kind of failure.
    package let code: Code
    /// What went wrong and what to do about it.
    package let message: String
    /// The database error behind a `.failed` migration.
    package let underlying: PostgresError?

    package init(code: Code, message: String, underlying: PostgresError? = nil) {
        self.code = code
        self.message = message
        self.underlying = underlying
    }

    package var description: String { message }
}
