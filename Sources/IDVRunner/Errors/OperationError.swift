import YotiClient

/// Why a command (`run`, `enqueue`, `rerun`, `expire`, `status`, `configs`) could not do its work, or a run
/// could not start.
///
/// Per-row problems are not errors (they are reported and the rest goes on); this is for what stops
/// the whole command. ``exitCode`` follows docs/design.md.
package struct OperationError: Error, Sendable, CustomStringConvertible {
    /// What kind of failure; extensible without breaking callers.
    package struct Code: Sendable, Hashable, CustomStringConvertible {
        fileprivate enum Base: String, Sendable, Hashable {
            case usage, input, unknownBatch = "unknown_batch", invalidSpec, database, credentials
        }
        fileprivate let base: Base

        /// A setting is unusable: unknown format, CSV header, `--config`, error class, name, run settings (exit 2).
        package static let usage = Code(base: .usage)
        /// An input file could not be opened or read (exit 2).
        package static let input = Code(base: .input)
        /// No row and no `idv.batches` entry has this batch id (exit 2).
        package static let unknownBatch = Code(base: .unknownBatch)
        /// A session configuration failed validation (exit 2).
        package static let invalidSpec = Code(base: .invalidSpec)
        /// PostgreSQL could not be reached or refused the statements (exit 3).
        package static let database = Code(base: .database)
        /// Yoti rejected the credentials (exit 3).
        package static let credentials = Code(base: .credentials)

        /// Short snake_case name.
        package var description: String { self == .invalidSpec ? ErrorClass.invalidSpec.rawValue : base.rawValue }
    }

    /// The kind of failure.
    package var code: Code
    /// What is wrong and what to do next. Never contains secrets.
    package var message: String

    /// Creates an error; `message` says what is wrong and what to do.
    package init(code: Code, message: String) {
        self.code = code
        self.message = message
    }

    /// docs/design.md's exit code: 3 for the database and rejected credentials, 2 for everything else.
    package var exitCode: Int32 { code == .database || code == .credentials ? 3 : 2 }

    package var description: String { message }
}

extension OperationError {
    /// The batch id is not known: no row and no `idv.batches` entry.
    static func unknownBatch(_ batchID: String) -> OperationError {
        OperationError(
            code: .unknownBatch,
            message: "Unknown batch \"\(batchID)\": no row of idv.verification_requests and no idv.batches entry has "
                + "this id. Check the spelling (`idv-batch status` lists the batches).")
    }
}
