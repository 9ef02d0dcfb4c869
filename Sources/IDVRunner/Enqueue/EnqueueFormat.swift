/// The input formats `enqueue` reads.
package struct EnqueueFormat: Sendable, Hashable, CustomStringConvertible {
    fileprivate enum Base: String, Sendable, Hashable { case jsonLines = "jsonl", csv }
    fileprivate let base: Base

    /// JSON Lines: one object per line with `external_ref`, optional `config_name` and `session_spec`.
    package static let jsonLines = EnqueueFormat(base: .jsonLines)
    /// CSV (RFC 4180) with a header row; see ``CSVColumnMapping`` for the columns.
    package static let csv = EnqueueFormat(base: .csv)

    /// Parses `jsonl` (also `ndjson`, `json`) or `csv`, case-insensitively.
    package init?(name: String) {
        switch name.lowercased() {
        case "jsonl", "ndjson", "json", "jsonlines": base = .jsonLines
        case "csv": base = .csv
        default: return nil
        }
    }

    private init(base: Base) { self.base = base }

    /// The format a file name's extension implies (`.jsonl`, `.ndjson`, `.json`, `.csv`, any case);
    /// `nil` when it says nothing.
    package static func inferred(fromPath path: String) -> EnqueueFormat? {
        guard let dot = path.lastIndex(of: "."), !path[dot...].contains("/") else { return nil }
        return EnqueueFormat(name: String(path[path.index(after: dot)...]))
    }

    /// `jsonl` or `csv`.
    package var description: String { base.rawValue }
}
