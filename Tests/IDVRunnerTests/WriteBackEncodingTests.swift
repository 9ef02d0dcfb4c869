import Foundation
import PostgresClient
import Testing
import YotiClient

@testable import IDVRunner

/// The typed write-back, its encoding into the flush statement's parameters, the statements' parameter
/// numbering and the typed row states: pure pieces, no database.
@Suite("Write-back encoding and statement parameters")
struct WriteBackEncodingTests {
    static let engineColumnCount = 12

    static func entry<Row: WriteBackRow>(_ row: Row) -> WriteBack<Row> {
        let decision = RetryPolicy.Decision(
            disposition: .succeeded, attempts: 1, retryDelay: nil, errorClass: nil, lastError: nil, httpStatus: 201,
            yotiCode: nil, yotiRequestID: nil, ledgerError: nil, possibleDuplicate: false, ledgerOutcome: "created",
            replacesError: true)
        return WriteBack(
            claimID: 1, leaseToken: 2, attemptID: 3, decision: decision,
            record: StepRecord(row: row, ledgerSessionID: nil, subject: nil, label: nil),
            at: Date(timeIntervalSince1970: 0))
    }

    /// The step's own parameters of a flush of `rows`, by column name.
    static func stepParameters<Row: WriteBackRow>(_ rows: [Row], statements: StepStatements) -> [String: PostgresValue]
    {
        let parameters = statements.flushParameters(rows.map(entry), operation: .createSession)
        #expect(parameters.count == engineColumnCount + Row.columns.count + 1)
        #expect(parameters.last == .text("create_session"))
        var byName: [String: PostgresValue] = [:]
        for (index, column) in Row.columns.enumerated() {
            byName[column.name] = parameters[engineColumnCount + index]
        }
        return byName
    }

    @Test("every create field lands in the parameter of its column")
    func createFields() {
        let row = CreateSessionStep.Row(
            status: .created, attempts: 3, retryDelay: .milliseconds(1500), sessionID: "s-1",
            clientSessionToken: "tok", tokenExpiresAt: Date(timeIntervalSince1970: 1_900_000_000.25),
            resourcesExpireAt: Date(timeIntervalSince1970: 1_900_600_000.5), lastError: "boom", lastHTTPStatus: 503,
            errorClass: .transient, possibleDuplicate: true, replacesError: false, instructionsStatus: .pending)
        let empty = CreateSessionStep.Row(
            status: .pending, attempts: 0, retryDelay: nil, sessionID: nil, clientSessionToken: nil,
            tokenExpiresAt: nil, resourcesExpireAt: nil, lastError: nil, lastHTTPStatus: nil, errorClass: nil,
            possibleDuplicate: false, replacesError: true, instructionsStatus: nil)
        let byName = Self.stepParameters([row, empty], statements: CreateStepFixtures.statements)
        let expected: [String: [String?]] = [
            "status": ["created", "pending"], "attempts": ["3", "0"], "retry_delay": ["1.5", nil],
            "session_id": ["s-1", nil], "client_session_token": ["tok", nil],
            "token_expires_at": ["1900000000.25", nil], "resources_expire_at": ["1900600000.5", nil],
            "last_error": ["boom", nil], "last_http_status": ["503", nil], "error_class": ["transient", nil],
            "possible_duplicate": ["true", "false"], "replaces_error": ["false", "true"],
            "instructions_status": ["pending", nil],
        ]
        #expect(Set(byName.keys) == Set(expected.keys))
        for (name, values) in expected {
            #expect(byName[name] == .textArray(values), "\(name)")
        }
    }

    @Test("a letter's fields follow the common follow-through fields")
    func letterFields() {
        var decision = RetryPolicy.Decision(
            disposition: .succeeded, attempts: 2, retryDelay: nil, errorClass: nil, lastError: "old",
            httpStatus: 200, yotiCode: nil, yotiRequestID: nil, ledgerError: nil, possibleDuplicate: false,
            ledgerOutcome: "letter_saved", replacesError: true)
        let saved = LetterStep.Row(
            common: FollowThroughRecord(decision, next: .letterSaved), letterPath: "/l/a.pdf", letterBytes: 1234,
            letterSHA256: "ab", delivered: true)
        decision.disposition = .retryScheduled
        decision.retryDelay = .seconds(2)
        let retry = LetterStep.Row(common: FollowThroughRecord(decision, next: .letterSaved), delivered: false)
        let byName = Self.stepParameters([saved, retry], statements: StepStatements(LetterStep.statementParts))
        #expect(LetterStep.Row.columns.map(\.name).prefix(5) == FollowThroughRecord.columns.map(\.name)[...])
        #expect(byName["instructions_status"] == .textArray(["letter_saved", nil]))
        #expect(byName["attempts"] == .textArray(["0", "2"]))
        #expect(byName["retry_delay"] == .textArray([nil, "2.0"]))
        #expect(byName["instructions_error"] == .textArray([nil, "old"]))
        #expect(byName["letter_path"] == .textArray(["/l/a.pdf", nil]))
        #expect(byName["letter_bytes"] == .textArray(["1234", nil]))
        #expect(byName["letter_sha256"] == .textArray(["ab", nil]))
        #expect(byName["delivered"] == .textArray(["true", "false"]))
    }

    @Test(
        "each step's statement lists the columns its row encodes",
        arguments: ["create", "delete", "result", "configuration", "instructions", "letter", "email"])
    func statementColumns(step: String) throws {
        let parts = try #require(Self.parts[step])
        let columns = try #require(Self.rowColumns[step])
        #expect(parts.rowColumns == columns)
        let flush = StepStatements(parts).flush
        for column in columns { #expect(flush.contains(column.name), "\(column.name)") }
    }

    static let rowColumns: [String: [StepSQL.Column]] = [
        "create": CreateSessionStep.Row.sqlColumns, "delete": DeleteSessionStep.Row.sqlColumns,
        "result": SessionResultStep.Row.sqlColumns, "configuration": FetchConfigurationStep.Row.sqlColumns,
        "instructions": FollowThroughRecord.sqlColumns, "letter": LetterStep.Row.sqlColumns,
        "email": FollowThroughRecord.sqlColumns,
    ]

    static let parts: [String: StepSQL] = [
        "create": CreateSessionStep.statementParts, "delete": DeleteSessionStep.statementParts,
        "result": SessionResultStep.statementParts, "configuration": FetchConfigurationStep.statementParts,
        "instructions": PutInstructionsStep.statementParts, "letter": LetterStep.statementParts,
        "email": RequestEmailStep.statementParts,
    ]

    /// The highest `$n` a statement's text mentions.
    static func highestParameter(_ sql: String) -> Int {
        let digits = sql.split(separator: "$").dropFirst().compactMap { Int($0.prefix { $0.isNumber }) }
        return digits.max() ?? 0
    }

    @Test(
        "every statement mentions only parameters it is given, for every step",
        arguments: ["create", "delete", "result", "configuration", "instructions", "letter", "email"], [false, true])
    func parameterNumbering(step: String, oncePerRun: Bool) throws {
        let statements = StepStatements(try #require(Self.parts[step]), oncePerRun: oncePerRun)
        let claim = statements.claimParameters(
            .init(
                batches: [], limit: 1, owner: "w", leaseDuration: .seconds(1), runID: nil, workerID: nil,
                operation: .createSession, knownPaused: []))
        #expect(claim.count == ClaimParameter.allCases.count)
        #expect(Self.highestParameter(statements.claim) <= claim.count)
        let reclaim = statements.reclaimParameters(
            .init(batches: [], limit: 1, maxAttempts: 6, reason: "r", operation: .createSession))
        #expect(reclaim.count == ReclaimParameter.allCases.count)
        #expect(Self.highestParameter(statements.reclaim) == reclaim.count)
        let renew = statements.renewParameters(owner: "w", leaseDuration: .seconds(1), operation: .createSession)
        #expect(Self.highestParameter(statements.renew) == renew.count)
        let outlook = statements.outlookParameters(batches: [], operation: .createSession, runID: 7)
        #expect(outlook.count == OutlookParameter.allCases.count)
        #expect(Self.highestParameter(statements.outlook) == (oncePerRun ? 3 : 2))
        // No parameter is mentioned only to give it a type.
        #expect(!statements.claim.contains("::text[] IS NOT NULL"))
        #expect(!statements.reclaim.contains("::text IS NOT NULL") && !statements.reclaim.contains("::int > 0"))
    }

    @Test("a parameter reads as its number")
    func parameterText() {
        #expect("\(ClaimParameter.batches)" == "$1")
        #expect("\(ClaimParameter.knownPaused)" == "$8")
        #expect("\(ReclaimParameter.unknownOutcome)" == "$6")
        #expect("\(RenewParameter.operation)" == "$3")
        #expect("\(OutlookParameter.runID)" == "$3")
    }

    @Test(
        "a request state's database string round-trips",
        arguments: zip(
            RequestStatus.allCases, ["pending", "in_progress", "created", "failed", "expired", "cancelled"]))
    func requestStatus(status: RequestStatus, text: String) {
        #expect(status.rawValue == text)
        #expect(RequestStatus(rawValue: text) == status)
        #expect("\(status)" == text)
    }

    @Test(
        "a follow-through state's database string round-trips",
        arguments: zip(
            InstructionsStatus.allCases,
            ["pending", "configured", "sent", "letter_saved", "emailed", "failed", "not_needed"]))
    func instructionsStatus(status: InstructionsStatus, text: String) {
        #expect(status.rawValue == text)
        #expect(InstructionsStatus(rawValue: text) == status)
        #expect("\(status)" == text)
    }

    @Test("the states are exactly the schema's (its CHECK constraints)")
    func statesMatchSchema() throws {
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent()
        let initial = try String(contentsOf: root.appendingPathComponent("sql/0001_initial.sql"), encoding: .utf8)
        let inBranch = try String(contentsOf: root.appendingPathComponent("sql/0007_in_branch.sql"), encoding: .utf8)
        let statuses = "CHECK (status IN (" + RequestStatus.allCases.map { "'\($0)'" }.joined(separator: ", ") + "))"
        #expect(initial.contains(statuses))
        let states =
            "CHECK (instructions_status IN ("
            + InstructionsStatus.allCases.map { "'\($0)'" }.joined(separator: ", ") + "))"
        #expect(inBranch.contains(states))
    }
}
