import PostgresClient
import YotiAPI

/// What `run --dry-run` found: every pending row of the selection composed and validated, nothing sent.
package struct DryRunReport: Sendable, Hashable {
    /// One row whose spec would be rejected.
    package struct Problem: Sendable, Hashable {
        package var rowID: Int64
        package var batchID: String
        package var externalRef: String
        package var problems: [String]
    }

    /// Pending rows examined.
    package var rowsChecked: Int
    /// Rows whose spec is valid: they would be sent.
    package var rowsValid: Int
    /// Rows that would fail with `invalid_spec`.
    package var rowsInvalid: Int
    /// Valid rows per batch.
    package var validByBatch: [String: Int]
    /// Rows per named configuration (`(none)` for full per-row specs).
    package var rowsByConfiguration: [String: Int]
    /// The first invalid rows (at most ``DryRun/problemLimit``), with their problems.
    package var problems: [Problem]
    /// The first valid row's body with secrets redacted: what would be sent.
    package var exampleBody: String?
    /// Values unknown in an open vocabulary that would be sent anyway, one line per field and value.
    package var specWarnings: [String] = []
    /// Rows that would send a `user_tracking_id` shaped like an email address or a phone number.
    package var trackingIDWarnings: [String] = []

    /// 0 when every row would be sent, 1 when some would fail (docs/design.md's "finished, some rows failed").
    package var exitCode: Int32 { rowsInvalid > 0 ? 1 : 0 }

    /// A few lines for people.
    package func render() -> String {
        var lines = [
            "Dry run: \(rowsChecked) pending rows checked, \(rowsValid) would be sent, \(rowsInvalid) invalid. Nothing was claimed or sent."
        ]
        for (batch, count) in validByBatch.sorted(by: { $0.key < $1.key }) {
            lines.append("  batch \(batch): \(count) would be sent")
        }
        for (name, count) in rowsByConfiguration.sorted(by: { $0.key < $1.key }) {
            lines.append("  configuration \(name): \(count) rows")
        }
        for problem in problems {
            lines.append(
                "  row \(problem.rowID) (\(problem.batchID)/\(problem.externalRef)): "
                    + problem.problems.joined(separator: "; "))
        }
        if rowsInvalid > problems.count { lines.append("  … and \(rowsInvalid - problems.count) more invalid rows") }
        if !specWarnings.isEmpty {
            lines.append("  unknown values that would be sent (Yoti decides; --strict refuses them):")
            lines += specWarnings.map { "    \($0)" }
        }
        if !trackingIDWarnings.isEmpty {
            lines.append("  personal-looking user_tracking_id values that would be sent (Yoti asks for none):")
            lines += trackingIDWarnings.map { "    \($0)" }
        }
        if let exampleBody {
            lines.append("  example request body (secrets and personal values redacted): \(exampleBody)")
        }
        return lines.joined(separator: "\n")
    }
}

/// Pages through the selection's pending rows by id and validates each spec, and for In-Branch rows what
/// can be told of the letter before the session exists (``InstructionsPlan/problemsBeforeCreation``).
struct DryRun: Sendable {
    /// How many invalid rows the report lists in full.
    static let problemLimit = 20
    /// Rows per page (keyset pagination on id keeps each query cheap on any size of batch).
    static let pageSize = 1000

    let database: any RunnerDatabase
    let batches: [String]
    let catalog: SpecCatalog
    /// How In-Branch letters will be delivered (`nil`: no follow-through in this run, not checked).
    var letters: LetterDelivery? = nil

    func run() async throws -> DryRunReport {
        var report = DryRunReport(
            rowsChecked: 0, rowsValid: 0, rowsInvalid: 0, validByBatch: [:], rowsByConfiguration: [:], problems: [],
            exampleBody: nil)
        let trackingIDs = TrackingIDWarnings(positionName: "row")
        var afterID: Int64 = 0
        while true {
            try Task.checkCancellation()
            let rows = try await database.query(
                """
                SELECT id, batch_id, external_ref, config_name, session_spec::text AS session_spec,
                       ibv_instructions::text AS ibv_instructions
                FROM idv.verification_requests
                WHERE status = 'pending' AND id > $2 AND \(selectionPredicate(parameter: 1))
                ORDER BY id
                LIMIT $3
                """,
                [.textArray(batches), .bigint(afterID), .int(Self.pageSize)]
            )
            if rows.isEmpty { break }
            for row in rows {
                let id = try row.decode(Int64.self, "id")
                afterID = id
                let batchID = try row.decode(String.self, "batch_id")
                let externalRef = try row.decode(String.self, "external_ref")
                let configName = try row.decode(String?.self, "config_name")
                report.rowsChecked += 1
                report.rowsByConfiguration[configName ?? "(none)", default: 0] += 1
                var prepared: SpecCatalog.Prepared
                do {
                    let spec = try row.decode(String?.self, "session_spec").map { try JSONValue(jsonString: $0) }
                    prepared = catalog.prepare(configName: configName, sessionSpec: spec, externalRef: externalRef)
                } catch {
                    prepared = .invalid(problems: ["session_spec: not valid JSON (\(error))"])
                }
                if case .ready(let body, _, _, true) = prepared {
                    // An In-Branch row: what can be told of its letter before the session exists.
                    let problems: [String]
                    do {
                        problems = InstructionsPlan.problemsBeforeCreation(
                            spec: try JSONValue(jsonBytes: body),
                            instructions: try row.decode(String?.self, "ibv_instructions").map {
                                try JSONValue(jsonString: $0)
                            },
                            defaults: configName.flatMap { catalog.ibvDefaults[$0] },
                            letters: letters)
                    } catch {
                        problems = ["ibv_instructions: not valid JSON (\(error))"]
                    }
                    if !problems.isEmpty { prepared = .invalid(problems: problems) }
                }
                switch prepared {
                case .ready(let body, let userTrackingID, _, _):
                    report.rowsValid += 1
                    report.validByBatch[batchID, default: 0] += 1
                    let source: TrackingIDWarnings.Source = userTrackingID == externalRef ? .externalRef : .explicit
                    trackingIDs.check(userTrackingID, source: source, position: id)
                    if report.exampleBody == nil, let json = try? JSONValue(jsonBytes: body) {
                        var shown = json.redactingSecrets().redactingPersonalData()
                        if let userTrackingID, PersonalIdentifierShape.of(userTrackingID) != nil,
                            case .object(var members) = shown
                        {
                            members["user_tracking_id"] = .string(JSONValue.personalMarker)
                            shown = .object(members)
                        }
                        report.exampleBody = shown.jsonString()
                    }
                case .invalid(let problems):
                    report.rowsInvalid += 1
                    if report.problems.count < Self.problemLimit {
                        report.problems.append(
                            .init(rowID: id, batchID: batchID, externalRef: externalRef, problems: problems))
                    }
                }
            }
        }
        report.specWarnings = catalog.warnings.lines
        report.trackingIDWarnings = trackingIDs.lines
        return report
    }
}
