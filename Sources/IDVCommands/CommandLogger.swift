import IDVLogging
import IDVRunner
import Logging
import Synchronization

/// The standard-error logger of the commands.
///
/// The first call bootstraps swift-log's `LoggingSystem` (once per process, as swift-log requires) with
/// a factory that reads the format and level chosen last, so that every logger made anywhere after it
/// (e.g. the Yoti Sign client of `configs push --remote`) honours `--log-format` and `--log-level`.
package enum CommandLogger {
    /// The format and level the bootstrapped factory gives new handlers.
    private static let chosen = Mutex<(format: LogFormat, level: Logger.Level)>((.text, .info))

    /// Evaluated once (a `static let` is initialised exactly once, thread-safely).
    private static let bootstrapped: Bool = {
        LoggingSystem.bootstrap { label in
            let (format, level) = chosen.withLock { $0 }
            var handler = format.standardErrorHandler(label: label)
            handler.logLevel = level
            return handler
        }
        return true
    }()

    /// A logger at `settings.logLevel` (else `$IDV_LOG_LEVEL`, else info) in `settings.logFormat` (else
    /// `$IDV_LOG_FORMAT`, else text on a terminal and JSON lines otherwise), and the format chosen.
    /// - Throws: ``CommandFailure`` (exit 2) for an unknown level or format.
    package static func make(label: String, settings: ObservabilitySettings) throws -> (
        logger: Logger, format: LogFormat
    ) {
        let settings = settings.withEnvironment()
        let levelName = settings.logLevel ?? "info"
        guard let level = Logger.Level(rawValue: levelName.lowercased()) else {
            throw CommandFailure(
                exitCode: 2,
                message:
                    "--log-level must be one of trace, debug, info, notice, warning, error, critical, not \"\(levelName)\""
            )
        }
        let format: LogFormat
        if let name = settings.logFormat {
            guard let named = LogFormat(name: name) else {
                throw CommandFailure(
                    exitCode: 2,
                    message: "--log-format must be \(LogFormat.names.joined(separator: " or ")), not \"\(name)\"")
            }
            format = named
        } else {
            format = .automatic
        }
        Self.chosen.withLock { $0 = (format, level) }
        _ = bootstrapped
        var logger = Logger(label: label)
        logger.logLevel = level
        return (logger, format)
    }
}
