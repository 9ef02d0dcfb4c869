import Logging

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// How log lines are written on standard error: `text` for people, `json` (one object per line) for
/// log collectors. The default is text on a terminal and JSON lines otherwise.
package struct LogFormat: Sendable, Hashable, CustomStringConvertible {
    private enum Base: String, Sendable, Hashable { case text, json }
    private let base: Base

    /// `2026-11-21T02:00:00+0000 info idv-batch.run : batch.id=… Run started` (swift-log's stream handler).
    package static let text = LogFormat(base: .text)
    /// One JSON object per line: ``JSONLogHandler``.
    package static let json = LogFormat(base: .json)

    /// The names the command line accepts.
    package static let names = ["text", "json"]

    /// Parses `text` or `json` (any case).
    package init?(name: String) {
        guard let base = Base(rawValue: name.lowercased()) else { return nil }
        self.base = base
    }
    private init(base: Base) { self.base = base }

    /// Text when standard error is a terminal, JSON lines otherwise (cron, systemd, Kubernetes).
    package static var automatic: LogFormat {
        isatty(STDERR_FILENO) == 1 ? .text : .json
    }

    package var description: String { base.rawValue }

    /// A handler writing this format to standard error.
    package func standardErrorHandler(label: String) -> any LogHandler {
        switch base {
        case .text: return StreamLogHandler.standardError(label: label)
        case .json: return JSONLogHandler.standardError(label: label)
        }
    }
}
