import Foundation
import PostgresClient
import Testing
import YotiAPI
import YotiSandbox

/// What must hold after any In-Branch follow-through, however it was interrupted or faulted: checked by
/// the fault, crash and rerun tests against the database, the sandbox and the letters directory.
enum InBranchInvariants {
    /// Every row of `batch` is `created` + `letter_saved`.
    static func allLettersSaved(_ harness: RunnerHarness, batch: String) async throws {
        let rows = try await InBranchFollowThroughTests.followRows(harness, batch: batch)
        #expect(!rows.isEmpty)
        let wrong = rows.filter { $0.status != "created" || $0.state != "letter_saved" }
        #expect(
            wrong.isEmpty,
            "rows not created + letter_saved: \(wrong.prefix(5).map { "\($0.ref) \($0.status) \($0.state ?? "-") \($0.error ?? "")" })"
        )
    }

    /// No session got its instructions more than once, unless an attempt of its row was flagged in the
    /// ledger as a possible duplicate (an unknown outcome, or a worker killed mid-call). Every session got them.
    /// - Returns: how many sessions got them twice or more (all flagged).
    @discardableResult
    static func instructionsNeverRepeatedUnflagged(_ harness: RunnerHarness, batch: String) async throws -> Int {
        let sessionIDs = try await harness.pool.query(
            "SELECT session_id FROM idv.verification_requests WHERE batch_id = $1 AND session_id IS NOT NULL",
            [.text(batch)]
        ).map { try $0.decode(String.self, "session_id") }
        let flagged = Set(
            try await harness.pool.query(
                """
                SELECT DISTINCT r.session_id FROM idv.attempts a JOIN idv.verification_requests r ON r.id = a.request_id
                WHERE a.batch_id = $1 AND a.operation = 'ibv_instructions' AND a.possible_duplicate
                """, [.text(batch)]
            ).map { try $0.decode(String.self, "session_id") })
        let puts = Dictionary(uniqueKeysWithValues: harness.sandboxSessions().map { ($0.id, $0.instructionsPut) })
        var repeated = 0
        for id in sessionIDs {
            let count = puts[id] ?? 0
            #expect(count >= 1, "session \(id) never got its instructions")
            if count > 1 {
                repeated += 1
                #expect(
                    flagged.contains(id), "session \(id) got \(count) instructions PUTs, none flagged in the ledger")
            }
        }
        return repeated
    }

    /// Every saved letter is whole: its file exists, size and SHA-256 match the row, it starts `%PDF`, it
    /// is private (0600) and names the applicant (`names[ref]`, read with `pdftotext` when installed); no
    /// temporary or stray file is left in the letters directory.
    static func lettersWhole(
        _ harness: RunnerHarness, batch: String, letters: URL, names: [String: String]
    ) async throws {
        var expected = Set<String>()
        for row in try await InBranchFollowThroughTests.followRows(harness, batch: batch) {
            let path = try #require(row.path, "\(row.ref) has no letter path")
            expected.insert(URL(fileURLWithPath: path).resolvingSymlinksInPath().path)
            let data = try Data(contentsOf: URL(fileURLWithPath: path))
            #expect(Int64(data.count) == row.bytes, "\(path): size differs from the database")
            #expect(SHA256Hex.hex(Array(data)) == row.sha, "\(path): sha256 differs from the database")
            #expect(data.starts(with: Array("%PDF".utf8)), "\(path) is not a PDF")
            let mode = try FileManager.default.attributesOfItem(atPath: path)[.posixPermissions] as? Int
            #expect(mode == 0o600, "\(path) mode \(String(mode ?? 0, radix: 8))")
            if let name = names[row.ref] {
                #expect(try InBranchFollowThroughTests.letterText(path).contains(name), "\(path) should name \(name)")
            }
        }
        var found = Set<String>()
        let enumerator = FileManager.default.enumerator(
            at: letters, includingPropertiesForKeys: [.isRegularFileKey], options: [])
        while let url = enumerator?.nextObject() as? URL {
            if (try? url.resourceValues(forKeys: [.isRegularFileKey]).isRegularFile) == true {
                found.insert(url.resolvingSymlinksInPath().path)
            }
        }
        let stray = found.subtracting(expected)
        #expect(stray.isEmpty, "files left in the letters directory: \(stray.sorted().prefix(5))")
        #expect(expected.isSubset(of: found))
    }

    /// Every In-Branch row of `batch` got its letter by exactly one route: `emailed` rows were emailed by the
    /// sandbox (once; more only when an `ibv_email` attempt of the row is flagged `possible_duplicate`) and
    /// have no saved letter; `letter_saved` rows have their letter on disk (under `letters`, when given)
    /// and were emailed by nobody. No In-Branch row is left without a letter.
    /// - Returns: rows emailed, rows saved, and emails beyond the first (each flagged).
    @discardableResult
    static func oneLetterByOneRoute(_ harness: RunnerHarness, batch: String, letters: URL?) async throws
        -> (emailed: Int, saved: Int, repeated: Int)
    {
        let rows = try await harness.pool.query(
            """
            SELECT r.external_ref, r.session_id, r.instructions_status, r.letter_path,
                   EXISTS (SELECT 1 FROM idv.attempts a WHERE a.request_id = r.id AND a.operation = 'ibv_email'
                           AND a.possible_duplicate) AS flagged
            FROM idv.verification_requests r
            WHERE r.batch_id = $1 AND r.instructions_status IS DISTINCT FROM 'not_needed'
            """, [.text(batch)])
        #expect(!rows.isEmpty)
        let emails = Dictionary(
            uniqueKeysWithValues: harness.sandboxSessions().map { ($0.id, $0.lettersEmailed.count) })
        var result = (emailed: 0, saved: 0, repeated: 0)
        for row in rows {
            let ref = try row.decode(String.self, "external_ref")
            let sent = emails[try row.decode(String?.self, "session_id") ?? ""] ?? 0
            let path = try row.decode(String?.self, "letter_path")
            switch try row.decode(String?.self, "instructions_status") {
            case "emailed":
                result.emailed += 1
                #expect(sent >= 1, "\(ref) is emailed but Yoti emailed nobody")
                #expect(path == nil, "\(ref) is emailed and also has a saved letter")
                if sent > 1 {
                    result.repeated += sent - 1
                    #expect(try row.decode(Bool.self, "flagged"), "\(ref) was emailed \(sent) times, none flagged")
                }
            case "letter_saved":
                result.saved += 1
                #expect(sent == 0, "\(ref) has a saved letter and was also emailed \(sent) times")
                let saved = try #require(path, "\(ref) is letter_saved without a letter")
                #expect(FileManager.default.fileExists(atPath: saved))
                if let letters { #expect(saved.hasPrefix(letters.path), "\(ref): \(saved) outside \(letters.path)") }
            case let state:
                Issue.record("\(ref) has no letter: instructions_status \(state ?? "NULL")")
            }
        }
        return result
    }
}
