import Foundation
import IDVLogging
import Logging
import PostgresClient

/// A worker's liveness, visible to every other worker through PostgreSQL itself.
///
/// The worker registers in `idv.workers` and takes the session-level advisory lock
/// `(namespace, id)` on a connection of its own, which it keeps for its whole life. When the process
/// dies (kill -9, OOM, a lost host) the server ends that session and releases the lock at once, so
/// `idv.live_workers` no longer lists it and its leased rows can be reclaimed within seconds instead
/// of after the lease expires. When the connection is lost while the worker lives (a database
/// restart), ``checkAndRestore()`` reconnects and takes the lock again; meanwhile the worker's rows may be
/// reclaimed, which fencing makes safe (its late write-backs are recorded as `lease_lost`).
actor WorkerPresence {
    /// The advisory lock's first key, `'idvb'`; `idv.live_workers` reads it (sql/0005).
    static let namespace: Int32 = 0x6964_7662

    /// `idv.workers.id`: stamped on every lease as `lease_worker`.
    nonisolated let id: Int32
    private let configuration: PostgresConfiguration
    private let logger: Logger
    private var connection: PostgresConnection?

    private init(id: Int32, connection: PostgresConnection, configuration: PostgresConfiguration, logger: Logger) {
        self.id = id
        self.connection = connection
        self.configuration = configuration
        self.logger = logger
    }

    /// Registers this worker and takes its presence lock.
    /// - Throws: `PostgresError` (connect, insert, lock).
    static func register(
        configuration: PostgresConfiguration, name: String, operation: StepOperation, logger: Logger
    ) async throws -> WorkerPresence {
        let connection = try await PostgresConnection.connect(configuration)
        do {
            let rows = try await connection.query(
                """
                INSERT INTO idv.workers (name, host, pid, operation) VALUES ($1, $2, $3, $4) RETURNING id
                """,
                [
                    .text(name), .text(ProcessInfo.processInfo.hostName),
                    .int(Int(ProcessInfo.processInfo.processIdentifier)), .text(operation.rawValue),
                ])
            let id = Int32(try rows[0].decode(Int.self, "id"))
            try await lock(id, on: connection)
            return WorkerPresence(id: id, connection: connection, configuration: configuration, logger: logger)
        } catch {
            await connection.close()
            throw error
        }
    }

    private static func lock(_ id: Int32, on connection: PostgresConnection) async throws {
        _ = try await connection.query(
            "SELECT pg_advisory_lock($1::int4, $2::int4)", [.int(Int(namespace)), .int(Int(id))])
    }

    /// Checks the presence connection; when it was lost, reconnects and takes the lock again.
    /// Returns whether the lock is held now.
    @discardableResult
    func checkAndRestore() async -> Bool {
        if let connection {
            if (try? await connection.query("SELECT 1 AS alive")) != nil { return true }
            await connection.close()
            self.connection = nil
            logger.warning(
                "Lost the worker's presence connection; reconnecting (its leases may be reclaimed meanwhile)")
        }
        do {
            let fresh = try await PostgresConnection.connect(configuration)
            do {
                try await Self.lock(id, on: fresh)
            } catch {
                await fresh.close()
                throw error
            }
            connection = fresh
            return true
        } catch {
            logger.warning("Could not restore the worker's presence lock", metadata: [LogKey.error: "\(error)"])
            return false
        }
    }

    /// Releases the lock by closing its connection (the worker is done).
    func release() async {
        await connection?.close()
        connection = nil
    }
}

extension WorkerPresence {
    /// Registers when `database` can open a dedicated connection; otherwise (or on failure, with a
    /// warning) returns `nil`, and the worker's rows are rescued only when their leases expire.
    static func registerIfPossible(
        database: any RunnerDatabase, name: String, operation: StepOperation, logger: Logger
    ) async -> WorkerPresence? {
        guard let configuration = database.connectionConfiguration else { return nil }
        do {
            return try await register(configuration: configuration, name: name, operation: operation, logger: logger)
        } catch {
            logger.warning(
                "Could not register the worker's presence; if it dies, its rows wait for their leases to expire",
                metadata: [LogKey.error: "\(error)"])
            return nil
        }
    }
}
