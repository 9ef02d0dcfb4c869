import Foundation
import YotiAPI
import YotiClient

/// Which failed rows `rerun` moves back to pending: rows whose error class is one of
/// ``errorClasses`` (any when empty) **and** whose last HTTP status is one of ``httpStatuses`` (any
/// when empty).
package struct RerunFilter: Sendable, Hashable {
    /// Error classes the runner writes to `error_class`; `unclassified` matches rows without one.
    package static let knownErrorClasses = (ErrorClass.stored + [.unclassified]).map(\.rawValue)

    /// Normalised class names (`rate-limited` is read as `rate_limited`); empty = every class.
    package var errorClasses: [String]
    /// HTTP statuses of the last attempt; empty = any (including none).
    package var httpStatuses: [Int]

    /// A filter; class names are normalised (lower case, `-` read as `_`) and de-duplicated.
    package init(errorClasses: [String] = [], httpStatuses: [Int] = []) {
        var seen = Set<String>()
        self.errorClasses = errorClasses.map(Self.normalised).filter { !$0.isEmpty && seen.insert($0).inserted }
        self.httpStatuses = Array(Set(httpStatuses)).sorted()
    }

    /// Splits `--only transient,rate-limited` into class names.
    package static func classes(fromList list: String) -> [String] {
        list.split(separator: ",").map { normalised(String($0)) }.filter { !$0.isEmpty }
    }

    /// Whether the filter matches every failed row.
    package var matchesEverything: Bool { errorClasses.isEmpty && httpStatuses.isEmpty }

    /// `{"error_classes": [...], "http_statuses": [...]}` for `idv.reruns.filters`.
    package var json: JSONValue {
        [
            "error_classes": .array(errorClasses.map { .string($0) }),
            "http_statuses": .array(httpStatuses.map { .integer(Int64($0)) }),
        ]
    }

    /// `error class transient or rate_limited, HTTP status 503` — for messages.
    package var summary: String {
        var parts: [String] = []
        if !errorClasses.isEmpty { parts.append("error class " + errorClasses.joined(separator: " or ")) }
        if !httpStatuses.isEmpty {
            parts.append("HTTP status " + httpStatuses.map(String.init).joined(separator: " or "))
        }
        return parts.isEmpty ? "any failed row" : parts.joined(separator: " and ")
    }

    private static func normalised(_ name: String) -> String {
        name.trimmingCharacters(in: .whitespaces).lowercased().replacingOccurrences(of: "-", with: "_")
    }
}
