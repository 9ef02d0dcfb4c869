import Foundation
import PostgresClient
import TestSupport
import Testing

/// Looks for secrets in what idv-batch printed or wrote: standard output and error, log lines, and
/// any file it was told to write (the metrics file).
///
/// The secrets are the ones docs/design.md and the README promise never to show: private-key material
/// (every PEM body line of the key file), client session tokens, notification `auth_token`s, the Yoti
/// Sign API key and database passwords. A finding names the kind of secret and where it was seen,
/// never the value.
struct SecretScanner: Sendable {
    /// One secret value and what kind it is.
    struct Secret: Sendable {
        var label: String
        var value: String
    }

    /// A secret seen where it must not be.
    struct Finding: Sendable, CustomStringConvertible {
        var label: String
        var source: String
        var description: String { "\(label) in \(source)" }
    }

    private(set) var secrets: [Secret] = []

    /// A scanner with no secrets yet.
    init() {}

    /// A scanner for the private key in `pemFile` (each base64 line of its body).
    init(keyFile pemFile: String) throws {
        let pem = try String(contentsOfFile: pemFile, encoding: .utf8)
        for line in pem.split(whereSeparator: \.isNewline) where !line.hasPrefix("-----") {
            add("private key material", String(line))
        }
        #expect(!secrets.isEmpty, "no PEM body in \(pemFile)")
    }

    /// Adds a secret; values too short to be a meaningful needle are refused loudly (a test bug).
    mutating func add(_ label: String, _ value: String?) {
        guard let value = value?.trimmingCharacters(in: .whitespaces), !value.isEmpty else { return }
        guard value.utf8.count >= 8 else {
            Issue.record("a \(label) shorter than 8 bytes would match by chance")
            return
        }
        secrets.append(Secret(label: label, value: value))
    }

    /// Adds every client session token the batch's rows hold (read after the run).
    mutating func addSessionTokens(_ pool: PostgresPool, batch: String) async throws {
        let rows = try await pool.query(
            "SELECT client_session_token FROM idv.verification_requests WHERE batch_id = $1 AND client_session_token IS NOT NULL",
            [.text(batch)])
        for row in rows { add("client session token", try row.decode(String.self, "client_session_token")) }
    }

    /// Expects none of the key's material and none of the batch's client session tokens in `outputs`
    /// (what a campaign's `idv-batch run` processes printed at debug level).
    static func expectClean(
        _ outputs: [(source: String, text: String)], harness: RunnerHarness, batch: String, campaign: String
    ) async throws {
        var scanner = try SecretScanner(keyFile: SharedPaths.ownerOnlyTestKey)
        try await scanner.addSessionTokens(harness.pool, batch: batch)
        scanner.expectClean(outputs, campaign: campaign)
    }

    /// A new path for a campaign's `--metrics-file` (the file is written by the run, not here).
    static func metricsPath(_ name: String) -> String {
        FileManager.default.temporaryDirectory.appendingPathComponent("idv-campaign-\(name)-\(UUID()).prom").path
    }

    /// The metrics file at `path` as one more output to scan (then removed, so the next run writes anew);
    /// empty when the run wrote none (killed before its first write).
    static func takeMetrics(_ path: String, source: String) -> (source: String, text: String) {
        defer { try? FileManager.default.removeItem(atPath: path) }
        let text = FileManager.default.contents(atPath: path).map { String(decoding: $0, as: UTF8.self) }
        return ("metrics file of \(source)" + (text == nil ? " (not written)" : ""), text ?? "")
    }

    /// What `text` (from `source`) reveals: one finding per kind of secret seen.
    ///
    /// One pass over the bytes for all secrets at once (thousands of tokens against megabytes of debug
    /// logs): a rolling window of 8 bytes is looked up among the secrets' first 8 bytes, and only a hit
    /// is compared in full.
    func findings(in text: String, source: String) -> [Finding] {
        var byPrefix: [UInt64: [[UInt8]]] = [:]
        var labels: [[UInt8]: String] = [:]
        for secret in secrets {
            let bytes = Array(secret.value.utf8)
            byPrefix[Self.word(bytes[0..<8]), default: []].append(bytes)
            labels[bytes] = secret.label
        }
        var found: [String] = []
        let haystack = Array(text.utf8)
        haystack.withUnsafeBufferPointer { buffer in
            var window: UInt64 = 0
            for index in buffer.indices {
                window = window << 8 | UInt64(buffer[index])
                guard index >= 7, let candidates = byPrefix[window] else { continue }
                let start = index - 7
                for candidate in candidates where start + candidate.count <= buffer.count {
                    if buffer[start..<start + candidate.count].elementsEqual(candidate), let label = labels[candidate],
                        !found.contains(label)
                    {
                        found.append(label)
                    }
                }
            }
        }
        return found.map { Finding(label: $0, source: source) }
    }

    /// Eight bytes as one big-endian word, as the rolling window builds it.
    private static func word(_ bytes: ArraySlice<UInt8>) -> UInt64 {
        bytes.reduce(0) { $0 << 8 | UInt64($1) }
    }

    /// Scans `outputs` and the files at `files`; expects nothing found. Files that do not exist are
    /// returned (not scanned), so a caller can say which were missing.
    @discardableResult
    func expectClean(
        _ outputs: [(source: String, text: String)], files: [String] = [], campaign: String, announce: Bool = true
    ) -> [String] {
        var found = outputs.flatMap { self.findings(in: $0.text, source: $0.source) }
        var missing: [String] = []
        for path in files {
            guard let data = FileManager.default.contents(atPath: path) else {
                missing.append(path)
                continue
            }
            found += findings(in: String(decoding: data, as: UTF8.self), source: path)
        }
        #expect(found.isEmpty, "\(campaign): secrets leaked: \(found)")
        let bytes = outputs.reduce(0) { $0 + $1.text.utf8.count }
        guard announce else { return missing }
        print(
            "campaign \(campaign): scanned \(outputs.count) outputs (\(bytes) bytes) and \(files.count - missing.count) files "
                + "for \(secrets.count) secret values (\(Set(secrets.map(\.label)).sorted().joined(separator: ", "))): "
                + "\(found.count) found" + (missing.isEmpty ? "" : "; not written, not scanned: \(missing)"))
        return missing
    }
}
