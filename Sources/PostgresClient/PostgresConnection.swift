import CLibPQ
import Dispatch
import Foundation

/// One libpq connection, as an actor whose executor is the connection's own serial dispatch queue.
///
/// Every blocking libpq call runs on that queue, never on Swift's cooperative thread pool (see
/// ``ConnectionExecutor``). Statements are parameterised (`$1`, `$2`, …) with values sent separately.
/// Cancelling the calling task cancels the statement on the server; the connection stays usable.
///
/// A connection runs one statement at a time. Use ``PostgresPool`` to share connections between tasks.
package actor PostgresConnection {
    /// How this connection was configured (never shows the password).
    package nonisolated let configuration: PostgresConfiguration

    private nonisolated let executor: ConnectionExecutor
    private var cancelHandle: CancelHandle?
    private let owner = HandleOwner()
    private var handle: OpaquePointer? {
        get { owner.pointer }
        set { owner.pointer = newValue }
    }

    /// The server process id serving this connection (`pg_backend_pid()`), 0 before connecting.
    package private(set) var backendPID: Int32 = 0

    /// Runs this actor on the connection's own queue so libpq can block without starving Swift's pool.
    package nonisolated var unownedExecutor: UnownedSerialExecutor { executor.asUnownedSerialExecutor() }

    private init(configuration: PostgresConfiguration) {
        self.configuration = configuration
        self.executor = ConnectionExecutor(label: "idv.postgres.connection")
    }

    /// Opens a connection and sets the session to UTC with ISO dates (what the row decoders expect).
    ///
    /// The wait is bounded by ``PostgresConfiguration/connectTimeout``; it is not interrupted by task
    /// cancellation.
    /// - Throws: ``PostgresError`` `.connectionFailed`, naming host, port, database and user (never the password).
    package static func connect(_ configuration: PostgresConfiguration) async throws -> PostgresConnection {
        let connection = PostgresConnection(configuration: configuration)
        try await connection.open()
        return connection
    }

    /// Runs one statement and returns its rows.
    ///
    /// - Parameters:
    ///   - sql: A single SQL statement with `$1`, `$2`, … placeholders.
    ///   - parameters: The placeholder values, in order.
    /// - Throws: ``PostgresError`` (`.server` with SQLSTATE, `.connectionLost`, `.connectionClosed`,
    ///   `.cancelled`), or `CancellationError` when the calling task was cancelled (the statement is
    ///   cancelled on the server too).
    @discardableResult
    package func query(_ sql: String, _ parameters: [PostgresValue] = []) async throws -> PostgresRows {
        try await run(send: try Self.parameterisedSend(sql, parameters))
    }

    /// Runs one statement and returns the number of rows it inserted, updated or deleted.
    ///
    /// - Throws: The same errors as ``query(_:_:)``.
    @discardableResult
    package func execute(_ sql: String, _ parameters: [PostgresValue] = []) async throws -> Int {
        try await query(sql, parameters).affectedRows
    }

    /// Runs `COPY … FROM STDIN` and sends `data` as its input, in one round trip.
    ///
    /// `data` is the whole input in the format the statement names (text format: build it with
    /// ``PostgresCopyText``). Waits on the connection's queue like every statement, and task cancellation
    /// cancels it on the server.
    /// - Returns: the number of rows copied.
    /// - Throws: The same errors as ``query(_:_:)``; a row the server refuses fails the whole COPY.
    @discardableResult
    package func copyIn(_ sql: String, data: [UInt8]) async throws -> Int {
        try await run(copyData: data, send: { handle in PQsendQueryParams(handle, sql, 0, nil, nil, nil, nil, 0) })
            .affectedRows
    }

    /// Runs a trusted SQL script that may hold several statements, without parameters (simple query
    /// protocol). Only for files shipped with the program, such as migrations: never pass it values.
    ///
    /// - Throws: The same errors as ``query(_:_:)``; the first failing statement stops the script.
    package func executeScript(_ sql: String) async throws {
        _ = try await run(send: { handle in PQsendQuery(handle, sql) })
    }

    /// Closes the connection. Safe to call more than once; later statements throw `.connectionClosed`.
    package func close() {
        cancelHandle?.free()
        cancelHandle = nil
        if let handle { PQfinish(handle) }
        handle = nil
    }

    /// Whether the connection is open and not known to be broken.
    package var isUsable: Bool {
        guard let handle else { return false }
        return PQstatus(handle) == CONNECTION_OK
    }

    /// Whether the server is in a transaction block for this connection (also when that transaction failed).
    package var isInTransaction: Bool {
        guard let handle else { return false }
        let status = PQtransactionStatus(handle)
        return status == PQTRANS_INTRANS || status == PQTRANS_INERROR
    }

    /// Reads anything the server sent while the connection was idle (e.g. the notice that it is being
    /// terminated) without blocking, so a dead idle connection is noticed before it is handed out.
    func refreshStatus() {
        guard let handle else { return }
        // A terminated backend sends its FATAL message and then closes the socket; libpq sees the
        // close only on a read after the one that returned the message, hence the (bounded) loop.
        for _ in 0..<4 {
            var descriptor = pollfd(fd: PQsocket(handle), events: Int16(POLLIN), revents: 0)
            guard PQstatus(handle) == CONNECTION_OK, poll(&descriptor, 1, 0) > 0 else { return }
            guard PQconsumeInput(handle) == 1 else { return }
            // Discard results nobody asked for (e.g. an asynchronous error) to stay in sync.
            while PQisBusy(handle) == 0, let stray = PQgetResult(handle) { PQclear(stray) }
        }
    }

    /// Runs a cleanup statement (unlock, rollback) even when the task is already cancelled: skipping
    /// it would leave a lock or transaction behind on a connection that may be reused.
    @discardableResult
    func queryIgnoringCancellation(_ sql: String, _ parameters: [PostgresValue] = []) async throws -> PostgresRows {
        try await run(cancellable: false, send: try Self.parameterisedSend(sql, parameters))
    }

    /// Rolls back an open transaction, ignoring task cancellation so that cleanup always happens.
    func rollbackIgnoringCancellation() {
        guard isInTransaction, let handle else { return }
        if let result = PQexec(handle, "ROLLBACK") { PQclear(result) }
    }

    // MARK: - Internals

    private func open() throws {
        let pairs = configuration.connectionKeywords()
        let connection = withCStrings(pairs.map(\.keyword) + [nil]) { keywords in
            withCStrings(pairs.map(\.value) + [nil]) { values in
                PQconnectdbParams(keywords, values, 0)
            }
        }
        guard let connection, PQstatus(connection) == CONNECTION_OK else {
            let reason = connection.map(Self.errorMessage) ?? "out of memory"
            if let connection { PQfinish(connection) }
            throw PostgresError(
                code: .connectionFailed,
                message: "Could not connect to PostgreSQL at \(configuration.redactedDescription): "
                    + "\(Self.sentence(PostgresConfiguration.scrub(reason, secrets: configuration.secrets))) "
                    + "Check that the server is running and that the connection settings "
                    + "(DATABASE_URL or PGHOST/PGPORT/PGDATABASE/PGUSER) point at it.")
        }
        PQsetNoticeProcessor(connection, { _, _ in }, nil)
        handle = connection
        backendPID = PQbackendPID(connection)
        // A fresh PGcancel, which libpq documents as safe to use from any thread; from here on the
        // cancel handle owns it and guards it with its lock.
        nonisolated(unsafe) let cancel = PQgetCancel(connection)
        cancelHandle = CancelHandle(cancel)
        if let result = PQexec(
            connection, "SELECT set_config('TimeZone', 'UTC', false), set_config('DateStyle', 'ISO', false)")
        {
            defer { PQclear(result) }
            if PQresultStatus(result) != PGRES_TUPLES_OK {
                let error = makeError(result)
                close()
                throw error
            }
        }
    }

    /// Encodes the parameters up front (so encoding errors surface before anything is sent) and
    /// returns the libpq call that sends the statement with them.
    private static func parameterisedSend(
        _ sql: String, _ parameters: [PostgresValue]
    ) throws -> (OpaquePointer) -> Int32 {
        let texts = try parameters.map { try $0.encodedText() }
        let types = parameters.map { $0.typeOID.oid }
        return { handle in
            withCStrings(texts) { values in
                PQsendQueryParams(handle, sql, Int32(texts.count), types, values, nil, nil, 0)
            }
        }
    }

    /// Sends a statement with `send`, waits for all its results on this queue, and converts them.
    /// When `cancellable`, task cancellation cancels the statement on the server.
    /// `copyData` is the input of a `COPY … FROM STDIN` statement.
    private func run(
        cancellable: Bool = true, copyData: [UInt8]? = nil, send: (OpaquePointer) -> Int32
    ) async throws -> PostgresRows {
        if cancellable { try Task.checkCancellation() }
        guard let handle, let cancelHandle else {
            throw PostgresError(
                code: .connectionClosed, message: "The connection was closed. Open a new one (or use a pool).")
        }
        guard cancellable else {
            guard send(handle) == 1 else { throw markLostIfBroken(makeError(nil)) }
            return try collectResults(handle, copyData: copyData).get()
        }
        let token = cancelHandle.begin()
        defer { cancelHandle.end(token) }
        let outcome: Result<PostgresRows, PostgresError> = await withTaskCancellationHandler {
            guard send(handle) == 1 else { return .failure(markLostIfBroken(makeError(nil))) }
            cancelHandle.markSent(token)
            return collectResults(handle, copyData: copyData)
        } onCancel: {
            // PQcancel opens a connection to the server and waits: never on the canceller's thread.
            DispatchQueue(label: "idv.postgres.cancel").async { cancelHandle.requestCancel(token) }
        }
        switch outcome {
        case .success(let rows):
            return rows
        case .failure(let error):
            if error.sqlState == PostgresError.SQLState.queryCanceled, Task.isCancelled {
                throw CancellationError()
            }
            throw error
        }
    }

    /// Reads every result of the statement (so the connection is idle afterwards) and keeps the last
    /// rows, or the first error. A `COPY … FROM STDIN` is fed `copyData` (refused when there is none).
    private func collectResults(
        _ handle: OpaquePointer, copyData: [UInt8]? = nil
    ) -> Result<PostgresRows, PostgresError> {
        var outcome: Result<PostgresRows, PostgresError>?
        while let result = PQgetResult(handle) {
            defer { PQclear(result) }
            guard outcome.map({ if case .failure = $0 { false } else { true } }) ?? true else { continue }
            switch PQresultStatus(result) {
            case PGRES_TUPLES_OK, PGRES_COMMAND_OK, PGRES_EMPTY_QUERY:
                outcome = .success(Self.makeRows(result))
            case PGRES_COPY_IN where copyData != nil:
                if let failure = sendCopyData(handle, copyData ?? []) { outcome = .failure(failure) }
            case PGRES_COPY_IN, PGRES_COPY_OUT, PGRES_COPY_BOTH:
                outcome = .failure(
                    PostgresError(code: .server, message: "COPY is not supported by this client; use INSERT."))
                if PQresultStatus(result) == PGRES_COPY_IN { _ = PQputCopyEnd(handle, "COPY not supported") }
            default:
                outcome = .failure(makeError(result))
            }
        }
        switch outcome {
        case .success(let rows)?: return .success(rows)
        case .failure(let error)?: return .failure(markLostIfBroken(error))
        case nil: return .failure(markLostIfBroken(makeError(nil)))
        }
    }

    /// Sends a COPY's input and its end (blocking, on this queue); the server's verdict follows as the
    /// next result. Returns an error only when the data could not be sent.
    private func sendCopyData(_ handle: OpaquePointer, _ data: [UInt8]) -> PostgresError? {
        let chunk = 1 << 20
        let sent = data.withUnsafeBufferPointer { buffer -> Bool in
            var offset = 0
            while offset < buffer.count {
                let length = min(chunk, buffer.count - offset)
                let pointer = UnsafeRawPointer(buffer.baseAddress! + offset).assumingMemoryBound(to: CChar.self)
                guard PQputCopyData(handle, pointer, Int32(length)) == 1 else { return false }
                offset += length
            }
            return true
        }
        guard sent, PQputCopyEnd(handle, nil) == 1 else { return makeError(nil) }
        return nil
    }

    /// Re-labels `error` as `.connectionLost` when the connection broke, since only then must the
    /// caller (or pool) open a new one. libpq notices the broken socket only after the error result.
    private func markLostIfBroken(_ error: PostgresError) -> PostgresError {
        guard let handle, PQstatus(handle) != CONNECTION_OK else { return error }
        var lost = error
        lost.code = .connectionLost
        lost.message += " The connection to the server was lost; open a new one (a pool does this itself)."
        return lost
    }

    private static func makeRows(_ result: OpaquePointer) -> PostgresRows {
        let columnCount = Int(PQnfields(result))
        let rowCount = Int(PQntuples(result))
        let columns = (0..<columnCount).map { index in
            PostgresColumn(
                name: String(cString: PQfname(result, Int32(index))),
                dataType: PostgresDataType(oid: PQftype(result, Int32(index))))
        }
        var values: [[String?]] = []
        values.reserveCapacity(rowCount)
        for row in 0..<Int32(rowCount) {
            var rowValues: [String?] = []
            rowValues.reserveCapacity(columnCount)
            for column in 0..<Int32(columnCount) {
                if PQgetisnull(result, row, column) == 1 {
                    rowValues.append(nil)
                } else {
                    rowValues.append(String(cString: PQgetvalue(result, row, column)))
                }
            }
            values.append(rowValues)
        }
        return PostgresRows(
            layout: PostgresRows.Layout(columns: columns),
            values: values,
            affectedRows: Int(String(cString: PQcmdTuples(result))) ?? 0,
            commandTag: String(cString: PQcmdStatus(result)))
    }

    /// An error from a failed result, or from the connection when there is no result.
    private func makeError(_ result: OpaquePointer?) -> PostgresError {
        func field(_ code: Character) -> String? {
            guard let result, let value = PQresultErrorField(result, Int32(code.asciiValue!)) else { return nil }
            return String(cString: value)
        }
        let sqlState = field("C")
        var message = field("M") ?? handle.map(Self.errorMessage) ?? "unknown error"
        message = PostgresConfiguration.scrub(message, secrets: configuration.secrets)
        let code: PostgresError.Code = sqlState == PostgresError.SQLState.queryCanceled ? .cancelled : .server
        return PostgresError(
            code: code, message: message, sqlState: sqlState, detail: field("D"), hint: field("H"),
            severity: field("V"))
    }

    /// libpq's multi-line message as one line ending in punctuation, to embed in our own sentence.
    private static func sentence(_ text: String) -> String {
        let words = text.split(whereSeparator: \.isWhitespace).joined(separator: " ")
        guard let last = words.last, !".?!".contains(last) else { return words }
        return words + "."
    }

    private static func errorMessage(_ connection: OpaquePointer) -> String {
        String(cString: PQerrorMessage(connection)).trimmingCharacters(in: .whitespacesAndNewlines)
    }
}

/// Owns the `PGconn`, so that a connection dropped without ``PostgresConnection/close()`` is still
/// finished (an actor's deinit may not touch its non-Sendable state; this object's may).
private final class HandleOwner {
    var pointer: OpaquePointer?

    deinit {
        if let pointer { PQfinish(pointer) }
    }
}

/// Calls `body` with a C array of NUL-terminated copies of `strings` (`nil` stays a null pointer).
private func withCStrings<Result>(
    _ strings: [String?], _ body: ([UnsafePointer<CChar>?]) -> Result
) -> Result {
    let copies = strings.map { $0.flatMap { strdup($0) } }
    defer { copies.forEach { free($0) } }
    return body(copies.map { $0.map { UnsafePointer($0) } })
}
