import IDVLogging
import IDVRunner
import Logging

/// The standard-error logger of the commands.
package enum CommandLogger {
    /// A logger at `settings.logLevel` (default info) in `settings.logFormat` (default: text on a
    /// terminal, JSON lines otherwise), and the format chosen.
    /// - Throws: ``CommandFailure`` (exit 2) for an unknown level or format.
    package static func make(label: String, settings: ObservabilitySettings) throws -> (logger: Logger, format: LogFormat) {
        let levelName = settings.logLevel ?? "info"
        guard let level = Logger.Level(rawValue: levelName.lowercased()) else {
            throw CommandFailure(
                exitCode: 2,
                message: "--log-level must be one of trace, debug, info, notice, warning, error, critical, not \"\(levelName)\"")
        }
        let format: LogFormat
        if let name = settings.logFormat {
            guard let chosen = LogFormat(name: name) else {
                throw CommandFailure(
                    exitCode: 2, message: "--log-format must be \(LogFormat.names.joined(separator: " or ")), not \"\(name)\"")
            }
            format = chosen
        } else {
            format = .automatic
        }
        var logger = Logger(label: label) { format.standardErrorHandler(label: $0) }
        logger.logLevel = level
        return (logger, format)
    }
}
