import IDVRunner
import YotiAPI

/// What a job file's `purge:` section says (every setting optional; the command line wins).
///
///     command: purge
///     purge:
///       retention:            # per kind: a duration (30d, 12h, 2w, 0d) or never
///         personal_inputs: 30d
///         results: never
///         notifications: 30d
///         yoti_sessions: 30d
///       batches: [...]
///       as_of: 2026-12-01T00:00:00Z
///       dry_run: false
///       chunk_size: 1000
package struct PurgeSettings: Sendable, Hashable {
    /// `retention:`: kind → period text, already checked.
    package var retention: [String: String] = [:]
    package var batches: [String]?
    package var asOf: String?
    package var dryRun: Bool?
    package var chunkSize: Int?
    package var deleteConcurrency: Int?
    package var requestTimeout: Double?
    package var observability = ObservabilitySettings()

    package init() {}
}

extension JobFile {
    static func readPurge(_ section: inout JobFileMapping) throws -> PurgeSettings {
        var settings = PurgeSettings()
        if var retention = try section.section("retention") {
            for kind in RetentionPolicy.Kind.allCases {
                guard let text = try retention.string(kind.rawValue) else { continue }
                do {
                    _ = try RetentionPolicy.Period.parse(text, kind: kind.rawValue)
                } catch let error as OperationError {
                    throw JobFileError(
                        code: .invalidValue, file: section.file, key: "purge.retention.\(kind.rawValue)",
                        line: retention.line(of: kind.rawValue), message: error.message)
                }
                settings.retention[kind.rawValue] = text
            }
            try retention.rejectUnknownKeys()
        }
        settings.batches = try section.strings("batches")
        settings.asOf = try section.string("as_of")
        if let asOf = settings.asOf, RFC3339.date(from: asOf) == nil {
            throw JobFileError(
                code: .invalidValue, file: section.file, key: "purge.as_of", line: section.line(of: "as_of"),
                message: "must be an RFC 3339 time such as 2026-11-22T06:00:00Z, found \"\(asOf)\"")
        }
        settings.dryRun = try section.bool("dry_run")
        settings.chunkSize = try section.int("chunk_size", in: 1...1_000_000)
        settings.deleteConcurrency = try section.int("delete_concurrency", in: 1...1_000)
        settings.requestTimeout = try section.number("request_timeout", minimum: .leastNonzeroMagnitude)
        settings.observability = try readObservability(&section)
        try section.rejectUnknownKeys()
        return settings
    }
}
