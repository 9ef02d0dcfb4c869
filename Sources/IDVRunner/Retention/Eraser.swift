import Foundation
import PostgresClient
import YotiAPI
import YotiClient

/// `idv-batch erase`: one person's right to erasure, now, whatever the policy. Removes the personal data of
/// every row with the given external refs (in one batch, or in all), their letter files and their stored
/// notification payloads, deletes every session of theirs Yoti may still hold (the row's session, its
/// `previous_sessions` and every session in the ledger) and records a receipt in `idv.erasures`.
/// The receipt holds no personal value: row ids, batches, external refs (the firm's own keys), column names,
/// counts, session ids and outcomes.
package struct Eraser: Sendable {
    /// What to erase.
    package struct Request: Sendable {
        /// One batch, or `nil` for every batch.
        package var batchID: String?
        package var refs: [String]
        package var requester: BatchControl.Requester
        package var overrideHold = false
        package var dryRun = false

        package init(batchID: String?, refs: [String], requester: BatchControl.Requester) {
            self.batchID = batchID
            self.refs = refs
            self.requester = requester
        }
    }

    /// What was (or, in a dry run, would be) removed from one row.
    package struct RowReceipt: Sendable, Hashable {
        package var rowID: Int64
        package var batchID: String
        package var externalRef: String
        package var status: String
        /// Columns cleared.
        package var cleared: [String]
        /// `deleted`, `missing`, `none`, `failed: <reason>` (dry run: `present` or `none`).
        package var letter: String
        package var notificationsCleared: Int
    }

    /// One session at Yoti and what its delete did.
    package struct SessionReceipt: Sendable, Hashable {
        package var sessionID: String
        package var rowID: Int64
        /// `deleted`, `not_found`, `conflict` (checks unfinished: purge deletes it later), `failed (…)`,
        /// `not tried` (no credentials), `would delete` (dry run).
        package var outcome: String
    }

    /// The receipt.
    package struct Receipt: Sendable, Hashable {
        package var id: Int64?
        package var erasedAt: Date
        package var actor: String
        package var reason: String?
        package var batchID: String?
        package var refs: [String]
        package var overrideHold: Bool
        package var dryRun: Bool
        package var rows: [RowReceipt]
        package var sessions: [SessionReceipt]

        /// 0 done; 1 something could not be removed (a letter file, a session delete that failed for good).
        package var exitCode: Int32 {
            rows.contains { $0.letter.hasPrefix("failed") } || sessions.contains { $0.outcome.hasPrefix("failed") }
                ? 1 : 0
        }

        /// The receipt for people: who, why, when, what was removed where. No personal values.
        package func render() -> String {
            var lines = [
                (dryRun ? "Dry run: erase would remove" : "Erasure receipt \(id.map(String.init) ?? "-")")
                    + " for refs \(refs.joined(separator: ", "))"
                    + (batchID.map { " in batch \($0)" } ?? " in every batch"),
                "  by \(actor) at \(RFC3339Text.string(erasedAt))" + (reason.map { ", reason: \($0)" } ?? "")
                    + (overrideHold ? " (legal hold overridden)" : ""),
            ]
            for row in rows {
                lines.append(
                    "  row \(row.rowID) (batch \(row.batchID), ref \(row.externalRef), \(row.status)): cleared "
                        + "\(row.cleared.joined(separator: ", ")); letter file \(row.letter); "
                        + "\(row.notificationsCleared) notification payloads")
            }
            for session in sessions {
                lines.append("  Yoti session \(session.sessionID) (row \(session.rowID)): \(session.outcome)")
            }
            return lines.joined(separator: "\n")
        }
    }

    static let clearedColumns = [
        "session_spec", "ibv_instructions", "letter_path", "result_outcome", "result_recommendation",
        "client_session_token",
    ]

    let pool: PostgresPool
    let deleter: (any SessionDeleting)?

    /// An eraser; `deleter` (the Yoti client) deletes the sessions, without one they are marked for purge.
    package init(pool: PostgresPool, deleter: (any SessionDeleting)?) {
        self.pool = pool
        self.deleter = deleter
    }

    /// Erases.
    /// - Throws: ``OperationError`` `.usage` (no refs, an unknown ref, a held batch without override; nothing
    ///   changed), `.unknownBatch`, `.database`.
    package func erase(_ request: Request) async throws -> Receipt {
        let refs = Array(Set(request.refs.map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }))
            .sorted()
        guard !refs.isEmpty else {
            throw OperationError(code: .usage, message: "erase needs --ref or --refs FILE naming at least one ref")
        }
        // 1. Read and check: nothing changes unless every ref is known and no batch is held (or overridden).
        let found = try await OperationError.database("find the rows to erase") {
            try await pool.withConnection { connection in
                if let batch = request.batchID {
                    try await LegalHold.checkBatchExists(batch, on: connection)
                }
                return try await connection.query(
                    """
                    SELECT r.id, r.batch_id, r.external_ref, r.status, r.letter_path, r.session_id,
                           b.held_at IS NOT NULL AS held,
                           array(SELECT DISTINCT s FROM (
                               SELECT p ->> 'session_id' AS s
                               FROM jsonb_array_elements(coalesce(r.previous_sessions, '[]'::jsonb)) AS p
                               UNION SELECT a.session_id FROM idv.attempts a WHERE a.request_id = r.id
                               UNION SELECT r.session_id) AS known WHERE s IS NOT NULL ORDER BY s) AS sessions,
                           (SELECT count(*) FROM idv.notifications n
                            WHERE n.body <> '{}'::jsonb AND n.session_id IN (
                                SELECT p ->> 'session_id'
                                FROM jsonb_array_elements(coalesce(r.previous_sessions, '[]'::jsonb)) AS p
                                UNION SELECT a.session_id FROM idv.attempts a WHERE a.request_id = r.id
                                UNION SELECT r.session_id)) AS notifications
                    FROM idv.verification_requests r
                    LEFT JOIN idv.batches b ON b.batch_id = r.batch_id
                    WHERE r.external_ref = ANY ($1::text[]) AND ($2::text IS NULL OR r.batch_id = $2)
                    ORDER BY r.id
                    """, [.textArray(refs), request.batchID.map { .text($0) } ?? .null])
            }
        }
        let known = Set(try found.map { try $0.decode(String.self, "external_ref") })
        let unknown = refs.filter { !known.contains($0) }
        guard unknown.isEmpty else {
            throw OperationError(
                code: .usage,
                message: "no row has ref \(unknown.joined(separator: ", "))"
                    + (request.batchID.map { " in batch \($0)" } ?? "")
                    + "; nothing was erased. Check the refs (and --batch), then erase again.")
        }
        let heldBatches = Set(
            try found.filter { try $0.decode(Bool.self, "held") }.map { try $0.decode(String.self, "batch_id") })
        guard heldBatches.isEmpty || request.overrideHold else {
            throw OperationError(
                code: .usage,
                message: "batch \(heldBatches.sorted().joined(separator: ", ")) is under legal hold; nothing was "
                    + "erased. Erase anyway with --override-hold (recorded on the receipt), or release the hold first.")
        }
        var receipt = Receipt(
            id: nil, erasedAt: Date(), actor: request.requester.name, reason: request.requester.reason,
            batchID: request.batchID, refs: refs, overrideHold: request.overrideHold && !heldBatches.isEmpty,
            dryRun: request.dryRun, rows: [], sessions: [])
        var rowIDs: [Int64?] = []
        var sessions: [(String, Int64)] = []
        for row in found {
            let id = try row.decode(Int64.self, "id")
            rowIDs.append(id)
            let letterPath = try row.decode(String?.self, "letter_path")
            receipt.rows.append(
                RowReceipt(
                    rowID: id, batchID: try row.decode(String.self, "batch_id"),
                    externalRef: try row.decode(String.self, "external_ref"),
                    status: try row.decode(String.self, "status"),
                    cleared: Self.clearedColumns,
                    letter: letterPath == nil ? "none" : (request.dryRun ? "present" : "pending"),
                    notificationsCleared: try row.decode(Int.self, "notifications")))
            for session in try row.decode([String].self, "sessions") { sessions.append((session, id)) }
        }
        if request.dryRun {
            receipt.sessions = sessions.map { SessionReceipt(sessionID: $0.0, rowID: $0.1, outcome: "would delete") }
            return receipt
        }
        // 2. Yoti: every known session. A 409 (checks unfinished) is left requested for purge's delete step.
        for (session, rowID) in sessions {
            receipt.sessions.append(SessionReceipt(sessionID: session, rowID: rowID, outcome: await delete(session)))
        }
        // 3. The database and the letters, in one transaction; the receipt is part of it.
        let erasedAt = receipt.erasedAt
        receipt = try await OperationError.database("erase personal data") {
            try await pool.withTransaction { connection in
                var receipt = receipt
                let locked = try await connection.query(
                    "SELECT id, letter_path FROM idv.verification_requests WHERE id = ANY ($1::bigint[]) FOR UPDATE",
                    [.bigintArray(rowIDs)])
                var letters: [Int64: String] = [:]
                let removals = try await LetterFile.remove(locked.map { try $0.decode(String?.self, "letter_path") })
                for (row, removal) in zip(locked, removals) {
                    letters[try row.decode(Int64.self, "id")] =
                        switch removal {
                        case .none: "none"
                        case .deleted: "deleted"
                        case .missing: "already missing"
                        case .failed(let reason): "failed (\(reason))"
                        }
                }
                for index in receipt.rows.indices {
                    receipt.rows[index].letter = letters[receipt.rows[index].rowID] ?? receipt.rows[index].letter
                }
                let gone = receipt.sessions.filter { $0.outcome == "deleted" || $0.outcome == "not_found" }
                try await connection.execute(
                    """
                    UPDATE idv.verification_requests r
                    SET session_spec = NULL, ibv_instructions = NULL,
                        letter_path = CASE WHEN r.id = ANY ($2::bigint[]) THEN r.letter_path ELSE NULL END,
                        result_outcome = NULL, result_recommendation = NULL, client_session_token = NULL,
                        personal_data_purged_at = CASE WHEN r.id = ANY ($2::bigint[]) THEN NULL ELSE now() END,
                        remote_delete_requested_at = CASE WHEN r.session_id IS NULL THEN NULL
                            ELSE coalesce(r.remote_delete_requested_at, now()) END,
                        remote_deleted_at = CASE WHEN r.session_id = ANY ($3::text[]) THEN coalesce(r.remote_deleted_at, now())
                            ELSE r.remote_deleted_at END,
                        remote_delete_status = CASE WHEN r.session_id = ANY ($3::text[]) THEN 'deleted'
                            ELSE r.remote_delete_status END
                    WHERE r.id = ANY ($1::bigint[])
                    """,
                    [
                        .bigintArray(rowIDs),
                        .bigintArray(receipt.rows.filter { $0.letter.hasPrefix("failed") }.map(\.rowID)),
                        .textArray(gone.map(\.sessionID)),
                    ])
                try await connection.execute(
                    "UPDATE idv.notifications SET body = '{}'::jsonb WHERE session_id = ANY ($1::text[]) AND body <> '{}'::jsonb",
                    [.textArray(sessions.map(\.0))])
                let details = JSONValue.object([
                    "rows": .array(
                        receipt.rows.map { row in
                            .object([
                                "id": .integer(row.rowID), "batch_id": .string(row.batchID),
                                "external_ref": .string(row.externalRef), "status": .string(row.status),
                                "cleared": .array(row.cleared.map { .string($0) }), "letter": .string(row.letter),
                                "notifications_cleared": .integer(Int64(row.notificationsCleared)),
                            ])
                        }),
                    "yoti_sessions": .array(
                        receipt.sessions.map {
                            .object([
                                "session_id": .string($0.sessionID), "row_id": .integer($0.rowID),
                                "outcome": .string($0.outcome),
                            ])
                        }),
                ])
                receipt.id = try await connection.query(
                    """
                    INSERT INTO idv.erasures
                        (erased_at, actor, reason, batch_id, external_refs, override_hold, rows_erased, details)
                    VALUES ($1, $2, $3, $4, $5::text[], $6, $7, $8::jsonb) RETURNING id
                    """,
                    [
                        .timestamp(erasedAt), .text(receipt.actor), receipt.reason.map { .text($0) } ?? .null,
                        receipt.batchID.map { .text($0) } ?? .null, .textArray(refs), .boolean(receipt.overrideHold),
                        .int(receipt.rows.count), .jsonb(details.jsonString()),
                    ]
                )[0].decode(Int64.self, "id")
                return receipt
            }
        }
        return receipt
    }

    private func delete(_ session: String) async -> String {
        guard let deleter else { return "not tried (no Yoti credentials): purge deletes it later" }
        do {
            try await deleter.deleteSession(id: session)
            return "deleted"
        } catch let error as YotiAPIError {
            switch error.status {
            case 404?: return "not_found"
            case 409?: return "conflict (checks unfinished): purge deletes it once they are done"
            default: return "failed (\(error.status.map { "HTTP \($0)" } ?? error.code.rawValue)): erase again later"
            }
        } catch {
            return "failed (\(type(of: error))): erase again later"
        }
    }
}
