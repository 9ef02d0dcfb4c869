import Foundation
import Logging
import Synchronization

/// A swift-log handler writing one JSON object per line, for log collectors (Loki, CloudWatch, Elastic…).
///
/// Each line is `{"ts":"2026-11-21T02:00:00.123Z","level":"warning","label":"idv-batch.run","msg":"Row failed",…}`
/// followed by the metadata keys (``LogKey``) flattened into the same object, sorted by key: nested
/// dictionaries become dotted keys, arrays stay arrays of strings. A metadata key that would clash with
/// `ts`, `level`, `label` or `msg` is written as `metadata.<key>`. Every value is a JSON string.
package struct JSONLogHandler: LogHandler {
    /// Serialises writes from every handler of the process, so lines never interleave.
    private static let outputLock = Mutex(())

    package var logLevel: Logger.Level = .info
    package var metadata: Logger.Metadata = [:]
    package var metadataProvider: Logger.MetadataProvider?
    private let label: String
    private let write: @Sendable (String) -> Void
    private let now: @Sendable () -> Date

    /// A handler passing each finished line (with its trailing newline) to `write`.
    /// - Parameters:
    ///   - label: the logger's label, written as `label`.
    ///   - now: the clock for `ts` (tests pin it).
    package init(
        label: String, metadataProvider: Logger.MetadataProvider? = nil,
        now: @escaping @Sendable () -> Date = { Date() },
        write: @escaping @Sendable (String) -> Void
    ) {
        self.label = label
        self.metadataProvider = metadataProvider
        self.now = now
        self.write = write
    }

    /// A handler writing to standard error, one `write(2)` per line.
    package static func standardError(label: String) -> JSONLogHandler {
        JSONLogHandler(label: label, metadataProvider: LoggingSystem.metadataProvider) { line in
            outputLock.withLock { _ in FileHandle.standardError.write(Data(line.utf8)) }
        }
    }

    package subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    package func log(event: LogEvent) {
        var merged = metadata
        if let provided = metadataProvider?.get() { merged.merge(provided) { $1 } }
        if let extra = event.metadata { merged.merge(extra) { $1 } }
        if let error = event.error { merged[LogKey.error] = "\(error)" }
        write(
            Self.line(
                timestamp: now(), level: event.level, label: label, message: event.message.description, metadata: merged
            ))
    }

    /// One log line, newline included.
    package static func line(
        timestamp: Date, level: Logger.Level, label: String, message: String, metadata: Logger.Metadata
    ) -> String {
        var out = "{"
        appendField("ts", .string(RFC3339Milliseconds.string(from: timestamp)), to: &out, first: true)
        appendField("level", .string(level.rawValue), to: &out)
        appendField("label", .string(label), to: &out)
        appendField("msg", .string(message), to: &out)
        var flat: [(String, Flattened)] = []
        for (key, value) in metadata { flatten(value, key: key, into: &flat) }
        for (key, value) in flat.sorted(by: { $0.0 < $1.0 }) {
            let name = reservedKeys.contains(key) ? "metadata." + key : key
            appendField(name, value, to: &out)
        }
        out += "}\n"
        return out
    }

    private static let reservedKeys: Set<String> = ["ts", "level", "label", "msg"]

    private enum Flattened {
        case string(String)
        case array([String])
    }

    private static func flatten(_ value: Logger.MetadataValue, key: String, into flat: inout [(String, Flattened)]) {
        switch value {
        case .string(let text): flat.append((key, .string(text)))
        case .stringConvertible(let convertible): flat.append((key, .string(convertible.description)))
        case .array(let values): flat.append((key, .array(values.map(\.description))))
        case .dictionary(let dictionary):
            for (inner, innerValue) in dictionary { flatten(innerValue, key: key + "." + inner, into: &flat) }
        }
    }

    private static func appendField(_ key: String, _ value: Flattened, to out: inout String, first: Bool = false) {
        if !first { out += "," }
        appendString(key, to: &out)
        out += ":"
        switch value {
        case .string(let text):
            appendString(text, to: &out)
        case .array(let values):
            out += "["
            for (index, text) in values.enumerated() {
                if index > 0 { out += "," }
                appendString(text, to: &out)
            }
            out += "]"
        }
    }

    /// A JSON string literal (RFC 8259): quotes, backslashes and every control character escaped;
    /// everything else, non-ASCII included, written as UTF-8.
    static func appendString(_ text: String, to out: inout String) {
        out += "\""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            case "\u{08}": out += "\\b"
            case "\u{0C}": out += "\\f"
            case "\u{00}"..."\u{1F}", "\u{7F}", "\u{2028}", "\u{2029}":
                // DEL and the JavaScript line separators are legal in JSON but break naive line readers.
                let hex = String(scalar.value, radix: 16)
                out += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
            default: out.unicodeScalars.append(scalar)
            }
        }
        out += "\""
    }
}
