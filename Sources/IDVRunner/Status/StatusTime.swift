import Foundation

/// How the operating commands print instants: RFC 3339 in UTC with milliseconds
/// (`2026-11-21T02:00:00.000Z`), the same in tables and in `--json`.
package enum StatusTime {
    /// `date` as RFC 3339 UTC with milliseconds.
    package static func format(_ date: Date) -> String {
        date.formatted(Date.ISO8601FormatStyle(includingFractionalSeconds: true))
    }

    /// SQL that renders the `timestamptz` expression `column` the way ``format(_:)`` does (NULL stays NULL).
    /// `column` is a fixed column name or expression from this module, never input.
    static func sql(_ column: String) -> String {
        "to_char(\(column) AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS.MS\"Z\"')"
    }
}
