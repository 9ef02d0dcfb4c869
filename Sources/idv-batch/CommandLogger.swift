import Logging

/// The standard-error logger of the operating commands.
enum CommandLogger {
    /// A logger at `level` (trace … critical).
    /// - Throws: ``CommandFailure`` (exit 2) for an unknown level.
    static func make(label: String, level: String) throws -> Logger {
        guard let level = Logger.Level(rawValue: level.lowercased()) else {
            throw CommandFailure(
                exitCode: 2, message: "--log-level must be one of trace, debug, info, notice, warning, error, critical")
        }
        var logger = Logger(label: label) { StreamLogHandler.standardError(label: $0) }
        logger.logLevel = level
        return logger
    }
}
