import Logging

/// A bounded set of connections shared by many tasks.
///
/// At most `maxConnections` connections are open at once; further callers wait (first come, first
/// served) until one is returned. Connections found broken — on return, or when idle — are closed
/// and replaced by new ones on demand. A connection is handed back with no transaction open.
package actor PostgresPool {
    /// Where connections go.
    package nonisolated let configuration: PostgresConfiguration
    /// The most connections this pool opens at once.
    package nonisolated let maxConnections: Int

    private let logger: Logger
    private var idle: [PostgresConnection] = []
    /// Connections open, being opened, or promised to a waiter.
    private var openCount = 0
    private var waiters: [(id: UInt64, continuation: CheckedContinuation<Grant, any Error>)] = []
    private var nextWaiterID: UInt64 = 0
    private var isShutdown = false

    /// What a waiting task receives: a connection, or the right to open one.
    private enum Grant: Sendable {
        case connection(PostgresConnection)
        case slot
    }

    /// Creates a pool; no connection is opened until one is needed.
    ///
    /// - Parameters:
    ///   - configuration: Where to connect.
    ///   - maxConnections: The most connections open at once (at least 1).
    ///   - logger: Receives notices about replaced connections; silent by default.
    package init(
        configuration: PostgresConfiguration, maxConnections: Int,
        logger: Logger = Logger(label: "idv.postgres.pool", factory: { _ in SwiftLogNoOpLogHandler() })
    ) {
        precondition(maxConnections >= 1, "a pool needs at least one connection")
        self.configuration = configuration
        self.maxConnections = maxConnections
        self.logger = logger
    }

    /// Connections currently open (idle or in use).
    package var openConnections: Int { openCount }
    /// Connections open and not in use.
    package var idleConnections: Int { idle.count }
    /// Tasks waiting for a connection.
    package var waitingTasks: Int { waiters.count }

    /// Lends a connection to `body` and takes it back afterwards, even when `body` throws.
    ///
    /// Waits when all connections are in use. A transaction `body` leaves open is rolled back.
    /// - Throws: What `body` throws; ``PostgresError`` `.connectionFailed` or `.poolShutdown`;
    ///   `CancellationError` if the task is cancelled while waiting.
    package func withConnection<Result>(
        isolation: isolated (any Actor)? = #isolation,
        _ body: (PostgresConnection) async throws -> Result
    ) async throws -> Result {
        let connection = try await acquire()
        let result: Result
        do {
            result = try await body(connection)
        } catch {
            await release(connection)
            throw error
        }
        await release(connection)
        return result
    }

    /// Runs `body` in a transaction on a pooled connection: `BEGIN`, then `COMMIT` if `body` returns,
    /// `ROLLBACK` if it throws (also when the task was cancelled).
    ///
    /// - Throws: What `body` throws, or the error from `BEGIN`/`COMMIT`.
    package func withTransaction<Result>(
        isolation: isolated (any Actor)? = #isolation,
        _ body: (PostgresConnection) async throws -> Result
    ) async throws -> Result {
        try await withConnection { connection in
            try await connection.withTransaction { try await body($0) }
        }
    }

    /// Runs one statement on a pooled connection; see ``PostgresConnection/query(_:_:)``.
    @discardableResult
    package func query(_ sql: String, _ parameters: [PostgresValue] = []) async throws -> PostgresRows {
        try await withConnection { try await $0.query(sql, parameters) }
    }

    /// Runs one statement on a pooled connection and returns the affected row count.
    @discardableResult
    package func execute(_ sql: String, _ parameters: [PostgresValue] = []) async throws -> Int {
        try await withConnection { try await $0.execute(sql, parameters) }
    }

    /// Closes idle connections, fails waiting tasks with `.poolShutdown`, and closes connections in use
    /// as they are returned. Later requests throw `.poolShutdown`.
    package func shutdown() async {
        isShutdown = true
        let closing = idle
        idle.removeAll()
        openCount -= closing.count
        for waiter in waiters { waiter.continuation.resume(throwing: Self.shutdownError) }
        waiters.removeAll()
        for connection in closing { await connection.close() }
    }

    // MARK: - Lending

    private func acquire() async throws -> PostgresConnection {
        guard !isShutdown else { throw Self.shutdownError }
        while let candidate = idle.popLast() {
            // A connection can die while idle (server restart, pg_terminate_backend); find out now.
            await candidate.refreshStatus()
            if await candidate.isUsable { return candidate }
            await discard(candidate, reason: "found broken while idle")
            guard !isShutdown else { throw Self.shutdownError }
        }
        if openCount < maxConnections {
            openCount += 1
            return try await openReserved()
        }
        let id = nextWaiterID
        nextWaiterID += 1
        let grant: Grant = try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Grant, any Error>) in
                if Task.isCancelled {
                    continuation.resume(throwing: CancellationError())
                } else {
                    waiters.append((id, continuation))
                }
            }
        } onCancel: {
            Task { await self.cancelWaiter(id) }
        }
        switch grant {
        case .connection(let connection): return connection
        case .slot: return try await openReserved()
        }
    }

    /// Opens a connection for a slot already counted in `openCount`, giving the slot back on failure.
    private func openReserved() async throws -> PostgresConnection {
        do {
            return try await PostgresConnection.connect(configuration)
        } catch {
            openCount -= 1
            grantSlotToWaiter()
            throw error
        }
    }

    private func release(_ connection: PostgresConnection) async {
        await connection.rollbackIgnoringCancellation()
        guard await connection.isUsable, await !connection.isInTransaction else {
            await discard(connection, reason: "lost or left in an unknown state")
            return
        }
        if isShutdown {
            openCount -= 1
            await connection.close()
        } else if !waiters.isEmpty {
            waiters.removeFirst().continuation.resume(returning: .connection(connection))
        } else {
            idle.append(connection)
        }
    }

    private func discard(_ connection: PostgresConnection, reason: String) async {
        let backendPID = await connection.backendPID
        logger.notice(
            "Replacing a PostgreSQL connection", metadata: ["reason": "\(reason)", "db.backend_pid": "\(backendPID)"])
        openCount -= 1
        await connection.close()
        grantSlotToWaiter()
    }

    private func grantSlotToWaiter() {
        guard !isShutdown, openCount < maxConnections, !waiters.isEmpty else { return }
        openCount += 1
        waiters.removeFirst().continuation.resume(returning: .slot)
    }

    private func cancelWaiter(_ id: UInt64) {
        guard let index = waiters.firstIndex(where: { $0.id == id }) else { return }
        waiters.remove(at: index).continuation.resume(throwing: CancellationError())
    }

    private static let shutdownError = PostgresError(
        code: .poolShutdown, message: "The connection pool was shut down; no more statements can run through it.")
}
