import CLibPQ
import Foundation

/// Where and how to connect to PostgreSQL: a libpq connection string or `postgres://` URI, plus a
/// connect timeout and an application name.
///
/// Anything the string leaves out comes from libpq's own defaults at connect time, i.e. the `PG*`
/// environment variables (`PGHOST`, `PGPORT`, `PGDATABASE`, `PGUSER`, `PGPASSWORD`, …) and
/// `~/.pgpass`. An empty string therefore means "whatever libpq would use".
///
/// The password is kept only to connect: ``description`` and ``redactedDescription`` never show it,
/// and neither does a `dump` or `print` of the value.
package struct PostgresConfiguration: Sendable, CustomStringConvertible, CustomReflectable {
    /// The libpq keywords given explicitly (from the string, or by `with…` methods).
    private var options: [String: String]

    /// How long to wait for the server while connecting. Default 10 seconds, or the string's
    /// `connect_timeout` when it has one. libpq counts whole seconds (minimum 2 s); fractions round up.
    package var connectTimeout: Duration

    /// The `application_name` shown in `pg_stat_activity`. Default `idv-batch`, or the string's own.
    package var applicationName: String

    /// libpq keywords that hold secrets and must never be shown.
    static let secretKeywords: Set<String> = ["password", "sslpassword"]

    /// Parses a libpq connection string (`host=db port=5432 dbname=idv`) or a URI
    /// (`postgres://user:secret@db:5432/idv?sslmode=require`).
    ///
    /// - Parameter connectionString: The string to parse; empty means libpq's `PG*` environment defaults.
    /// - Throws: ``PostgresError`` with code `.invalidConfiguration` if libpq cannot parse it
    ///   (the message never repeats the string, which may hold a password).
    package init(_ connectionString: String = "") throws {
        var parsed: [String: String] = [:]
        if !connectionString.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty {
            var errorMessage: UnsafeMutablePointer<CChar>?
            guard let list = PQconninfoParse(connectionString, &errorMessage) else {
                var reason = "unparseable connection string"
                if let errorMessage {
                    reason = String(cString: errorMessage).trimmingCharacters(in: .whitespacesAndNewlines)
                    PQfreemem(errorMessage)
                }
                throw PostgresError(
                    code: .invalidConfiguration,
                    message: "The PostgreSQL connection string is invalid (\(Self.withoutQuotedInput(reason))). "
                        + "Use a URI such as postgres://user@host:5432/dbname or key=value pairs such as "
                        + "'host=localhost dbname=idv'.")
            }
            defer { PQconninfoFree(list) }
            var entry = list
            while let keyword = entry.pointee.keyword {
                if let value = entry.pointee.val {
                    parsed[String(cString: keyword)] = String(cString: value)
                }
                entry += 1
            }
        }
        self.connectTimeout = .seconds(10)
        if let timeout = parsed.removeValue(forKey: "connect_timeout"), let seconds = Int(timeout), seconds > 0 {
            self.connectTimeout = .seconds(seconds)
        }
        self.applicationName = parsed.removeValue(forKey: "application_name") ?? "idv-batch"
        // Always UTF-8 (set in connectionKeywords), whatever the string asked for.
        parsed.removeValue(forKey: "client_encoding")
        self.options = parsed
    }

    /// The configuration from `DATABASE_URL` when set and non-empty, else libpq's `PG*` defaults.
    ///
    /// - Parameter environment: The environment to read; defaults to the process environment.
    /// - Throws: ``PostgresError`` `.invalidConfiguration` when `DATABASE_URL` cannot be parsed.
    package static func fromEnvironment(
        _ environment: [String: String] = ProcessInfo.processInfo.environment
    ) throws -> PostgresConfiguration {
        try PostgresConfiguration(environment["DATABASE_URL"] ?? "")
    }

    /// A copy that connects to another database on the same server with the same credentials.
    package func withDatabase(_ name: String) -> PostgresConfiguration {
        var copy = self
        copy.options["dbname"] = name
        return copy
    }

    /// The host (or socket directory) that will be used, after libpq's environment defaults.
    package var host: String {
        value("host") ?? value("hostaddr") ?? "local socket"
    }

    /// The port that will be used, after libpq's environment defaults.
    package var port: String { value("port") ?? "5432" }

    /// The user name that will be used, after libpq's environment defaults.
    package var user: String { value("user") ?? Self.operatingSystemUser() }

    /// The database that will be used, after libpq's environment defaults (libpq defaults it to the user).
    package var database: String { value("dbname") ?? user }

    /// `host=… port=… dbname=… user=…`: enough to say where a connection went, never the password.
    package var redactedDescription: String {
        "host=\(host) port=\(port) dbname=\(database) user=\(user)"
    }

    package var description: String { "PostgresConfiguration(\(redactedDescription))" }

    package var customMirror: Mirror {
        Mirror(self, children: ["target": redactedDescription, "applicationName": applicationName])
    }

    /// The full libpq connection string, password included, for handing to a child process
    /// (for example as `DATABASE_URL`). Never log or print it.
    package var unredactedConnectionString: String {
        connectionKeywords().map { "\($0.keyword)=\(Self.quoteConninfoValue($0.value))" }
            .joined(separator: " ")
    }

    /// Every keyword/value pair to hand to `PQconnectdbParams`; unset keywords fall back to libpq's defaults.
    func connectionKeywords() -> [(keyword: String, value: String)] {
        var pairs = options.sorted { $0.key < $1.key }.map { (keyword: $0.key, value: $0.value) }
        let seconds = max(
            2,
            Int(
                (Double(connectTimeout.components.seconds)
                    + Double(connectTimeout.components.attoseconds) / 1e18).rounded(.up)))
        pairs.append((keyword: "connect_timeout", value: String(seconds)))
        pairs.append((keyword: "application_name", value: applicationName))
        // Every string we send or read is UTF-8 regardless of the server's or environment's settings.
        pairs.append((keyword: "client_encoding", value: "UTF8"))
        return pairs
    }

    /// The secrets in this configuration, so messages from libpq can be scrubbed of them.
    var secrets: [String] {
        var found = Self.secretKeywords.compactMap { options[$0] }
        if let fromEnvironment = ProcessInfo.processInfo.environment["PGPASSWORD"] { found.append(fromEnvironment) }
        return found.filter { !$0.isEmpty }
    }

    /// Replaces every occurrence of a secret in `text` with `***`.
    /// libpq's parse error with the parts of the input it quotes replaced by `"…"`: it quotes the
    /// whole URI in some messages (`… in URI: "postgres://user:secret@[db"`), password included.
    /// Quoted punctuation (`"="`, `"]"`) stays, as it says what was expected.
    static func withoutQuotedInput(_ reason: String) -> String {
        // A quoted URI may itself contain quotes (in the password): drop everything after its opening quote.
        if let uri = reason.range(of: "URI: \"") { return reason[..<uri.upperBound] + "…\"" }
        let parts = reason.split(separator: "\"", omittingEmptySubsequences: false)
        // Odd-numbered parts are inside quotes (an unmatched last quote counts as quoted to the end).
        return parts.enumerated().map { index, part in
            index % 2 == 0 || (!part.isEmpty && part.allSatisfy { $0.isPunctuation || $0.isSymbol })
                ? String(part) : "…"
        }.joined(separator: "\"")
    }

    static func scrub(_ text: String, secrets: [String]) -> String {
        secrets.reduce(text) { $0.replacingOccurrences(of: $1, with: "***") }
    }

    /// The explicit value of a keyword, else libpq's default for it (environment variables included).
    private func value(_ keyword: String) -> String? {
        if let explicit = options[keyword], !explicit.isEmpty { return explicit }
        return Self.libpqDefault(keyword)
    }

    private static func libpqDefault(_ keyword: String) -> String? {
        guard let defaults = PQconndefaults() else { return nil }
        defer { PQconninfoFree(defaults) }
        var entry = defaults
        while let name = entry.pointee.keyword {
            if String(cString: name) == keyword, let value = entry.pointee.val {
                let text = String(cString: value)
                return text.isEmpty ? nil : text
            }
            entry += 1
        }
        return nil
    }

    private static func operatingSystemUser() -> String {
        ProcessInfo.processInfo.environment["USER"] ?? ProcessInfo.processInfo.userName
    }

    /// Quotes a value for a libpq key=value string: single quotes, with `\` and `'` escaped.
    private static func quoteConninfoValue(_ value: String) -> String {
        var quoted = "'"
        for character in value {
            if character == "\\" || character == "'" { quoted.append("\\") }
            quoted.append(character)
        }
        return quoted + "'"
    }
}
