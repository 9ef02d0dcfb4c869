import Foundation
import YotiAPI

/// How the columns of an `enqueue` CSV file become a row: its `external_ref`, its `config_name`, and
/// a session-spec merge patch built from the other columns.
///
/// Fixed columns (names matched case-insensitively, surrounding spaces ignored) map to fixed places;
/// a column named `spec.<dotted.path>` sets that path of the patch; anything else is refused up front
/// (a misspelt column must not be dropped silently). Empty cells set nothing.
package struct CSVColumnMapping: Sendable {
    /// Where one column goes.
    enum Target: Sendable, Hashable {
        case externalRef
        case configName
        /// A path in the session-spec patch; `typed` cells that read as a JSON number or boolean are
        /// stored as one, the rest as strings.
        case spec(path: [String], typed: Bool)
        /// A path in the row's `ibv_instructions` (In-Branch: contact profile, one document, branch).
        case instructions(path: [String])
        case ignored
    }

    /// The fixed spec columns and where they go, in documentation order.
    static let specColumns: [(column: String, path: [String], typed: Bool)] = {
        let profile = ["resources", "applicant_profile"]
        let address = profile + ["structured_postal_address"]
        return [("user_tracking_id", ["user_tracking_id"], false)]
            + ["given_names", "family_name", "full_name", "date_of_birth"].map { ($0, profile + [$0], false) }
            + [("address_format", address + ["address_format"], true)]
            + [
                "building_number", "address_line1", "address_line2", "town_city", "postal_code", "country_iso",
                "country",
            ]
            .map { ($0, address + [$0], false) }
    }()

    /// The In-Branch instruction columns and where they go in `ibv_instructions`.
    static let instructionColumns: [(column: String, path: [String])] = [
        ("first_name", ["contact_profile", "first_name"]), ("last_name", ["contact_profile", "last_name"]),
        ("email", ["contact_profile", "email"]), ("document_type", ["documents", "0", "document_type"]),
        ("document_country", ["documents", "0", "country_code"]), ("branch_type", ["branch", "type"]),
        ("branch_fad_code", ["branch", "fad_code"]),
    ]

    /// Prefix of the generic columns that set any path of the spec patch.
    static let specPathPrefix = "spec."

    /// Columns that look like data but have no place in a Yoti session spec, with what to do instead.
    static let refusedColumns: [String: String] = [:]

    /// Every fixed column name, for messages.
    package static var acceptedColumns: [String] {
        ["external_ref", "config_name"] + specColumns.map(\.column) + instructionColumns.map(\.column)
            + ["spec.<dotted.path>"]
    }

    /// What each column of the file does, in file order.
    let targets: [Target]
    /// Index of the `external_ref` column.
    let externalRefIndex: Int

    /// Maps a header row.
    /// - Parameters:
    ///   - header: the column names, in order.
    ///   - ignoring: column names to skip (matched like the fixed names).
    /// - Throws: ``OperationError`` `.usage` naming every unknown, duplicate or conflicting column and the
    ///   accepted ones, or saying the `external_ref` column is missing.
    package init(header: [String], ignoring: Set<String> = []) throws {
        let ignored = Set(ignoring.map(Self.normalised))
        var targets: [Target] = []
        var unknown: [String] = []
        var refused: [String] = []
        var seen: [Target: String] = [:]
        var duplicates: [String] = []
        for raw in header {
            let name = Self.normalised(raw)
            let target: Target
            if ignored.contains(name) {
                target = .ignored
            } else if name == "external_ref" {
                target = .externalRef
            } else if name == "config_name" {
                target = .configName
            } else if let fixed = Self.specColumns.first(where: { $0.column == name }) {
                target = .spec(path: fixed.path, typed: fixed.typed)
            } else if let fixed = Self.instructionColumns.first(where: { $0.column == name }) {
                target = .instructions(path: fixed.path)
            } else if name.hasPrefix(Self.specPathPrefix) {
                let trimmed = raw.trimmingCharacters(in: .whitespaces)
                let path = trimmed.dropFirst(Self.specPathPrefix.count).split(
                    separator: ".", omittingEmptySubsequences: false)
                guard !path.isEmpty, path.allSatisfy({ !$0.isEmpty }) else {
                    unknown.append(raw)
                    targets.append(.ignored)
                    continue
                }
                target = .spec(path: path.map(String.init), typed: true)
            } else if Self.refusedColumns[name] != nil {
                refused.append(name)
                targets.append(.ignored)
                continue
            } else {
                unknown.append(raw.isEmpty ? "(an empty column name)" : raw)
                targets.append(.ignored)
                continue
            }
            if target != .ignored, let first = seen[target] {
                duplicates.append("\(first) and \(raw)")
            }
            seen[target] = seen[target] ?? raw
            targets.append(target)
        }
        var problems: [String] = []
        if !unknown.isEmpty {
            problems.append(
                "unknown column(s) \(unknown.map { "\"\($0)\"" }.joined(separator: ", ")); accepted: "
                    + Self.acceptedColumns.joined(separator: ", ") + " (or --ignore-column NAME to skip one)")
        }
        for name in refused {
            problems.append("column \"\(name)\": \(Self.refusedColumns[name] ?? "")")
        }
        if !duplicates.isEmpty {
            problems.append("columns set the same field twice: " + duplicates.joined(separator: "; "))
        }
        let paths = targets.compactMap { target -> [String]? in
            if case .spec(let path, _) = target { return path }
            return nil
        }
        for path in paths {
            if let longer = paths.first(where: { $0.count > path.count && Array($0.prefix(path.count)) == path }) {
                problems.append(
                    "column for \(path.joined(separator: ".")) conflicts with the one for \(longer.joined(separator: ".")): "
                        + "a field cannot be both a value and an object")
            }
        }
        guard let externalRefIndex = targets.firstIndex(of: .externalRef) else {
            problems.insert(
                "the header has no external_ref column (it has: \(header.joined(separator: ", "))); "
                    + "every row needs one: the caller's id for the person", at: 0)
            throw OperationError(code: .usage, message: "CSV header: " + problems.joined(separator: ". "))
        }
        guard problems.isEmpty else {
            throw OperationError(code: .usage, message: "CSV header: " + problems.joined(separator: ". "))
        }
        self.targets = targets
        self.externalRefIndex = externalRefIndex
    }

    /// The row a record describes: `external_ref` (as written), `config_name` (nil when empty), the
    /// spec patch (nil when no spec column has a value) and the In-Branch instructions (nil likewise).
    func candidate(from fields: [String]) -> (
        externalRef: String, configName: String?, patch: JSONValue?, instructions: JSONValue?
    ) {
        var externalRef = ""
        var configName: String?
        var patch: [String: JSONValue] = [:]
        var instructions: [String: JSONValue] = [:]
        for (target, cell) in zip(targets, fields) where !cell.isEmpty {
            switch target {
            case .externalRef: externalRef = cell
            case .configName: configName = cell
            case .spec(let path, let typed):
                Self.set(typed ? Self.typedValue(cell) : .string(cell), at: path[...], in: &patch)
            case .instructions(let path): Self.set(.string(cell), at: path[...], in: &instructions)
            case .ignored: break
            }
        }
        // The document columns describe one document: `documents` is a one-element array of ID documents.
        if let document = instructions["documents"]?["0"]?.objectValue {
            instructions["documents"] = [.object(document.merging(["type": "ID_DOCUMENT"]) { current, _ in current })]
        }
        return (
            externalRef, configName, patch.isEmpty ? nil : .object(patch),
            instructions.isEmpty ? nil : .object(instructions)
        )
    }

    /// A cell as a JSON number or boolean when it reads as one (`42`, `-1.5`, `true`), else the string.
    /// `007` and `1e` are strings: they are not JSON numbers.
    static func typedValue(_ cell: String) -> JSONValue {
        switch cell {
        case "true": return .bool(true)
        case "false": return .bool(false)
        default: break
        }
        guard cell.first.map({ $0 == "-" || $0.isASCII && $0.isNumber }) == true,
            let value = try? JSONValue(jsonString: cell)
        else { return .string(cell) }
        switch value {
        case .integer, .double: return value
        default: return .string(cell)
        }
    }

    private static func set(_ value: JSONValue, at path: ArraySlice<String>, in object: inout [String: JSONValue]) {
        guard let key = path.first else { return }
        if path.count == 1 {
            object[key] = value
            return
        }
        var child = object[key]?.objectValue ?? [:]
        set(value, at: path.dropFirst(), in: &child)
        object[key] = .object(child)
    }

    private static func normalised(_ name: String) -> String {
        name.trimmingCharacters(in: .whitespaces).lowercased()
    }
}
