import Foundation
import PostgresClient
import TestSupport
import Testing

@Suite("PostgresConnection against PostgreSQL")
struct ConnectionTests {
    @Test("connects with a postgres:// URI and with a conninfo string, in UTC with ISO dates")
    func connects() async throws {
        try await TestDatabase.withEmptyDatabase { configuration throws in
            let viaURI = try PostgresConfiguration(uri(for: configuration))
            for target in [viaURI, configuration] {
                try await withConnection(target) { connection throws in
                    let rows = try await connection.query(
                        "SELECT current_database() AS db, current_setting('TimeZone') AS tz, "
                            + "current_setting('DateStyle') AS style, current_setting('application_name') AS app")
                    #expect(try rows[0].decode(String.self, "db") == configuration.database)
                    #expect(try rows[0].decode(String.self, "tz") == "UTC")
                    #expect(try rows[0].decode(String.self, "style").hasPrefix("ISO"))
                    #expect(try rows[0].decode(String.self, "app") == "idv-batch")
                    #expect(await connection.backendPID > 0)
                }
            }
        }
    }

    @Test("connection errors name host, port and database but never the password")
    func connectionErrors() async throws {
        let server = try await TestDatabase.server()
        let password = "Pa55-word-never-shown"
        let badTargets = [
            // Nothing listens on port 1 of loopback.
            try PostgresConfiguration("postgresql://idv:\(password)@127.0.0.1:1/somedb"),
            // A socket directory that does not exist (no DNS, no network).
            try PostgresConfiguration(
                "host=/nonexistent/socket/dir port=5432 dbname=somedb user=idv password=\(password)"),
            // The real server, a database that does not exist.
            try PostgresConfiguration(
                uri(for: server.configuration.withDatabase("no_such_database"), password: password)),
        ]
        for target in badTargets {
            let error = await #expect(throws: PostgresError.self) {
                try await PostgresConnection.connect(target)
            }
            let text = try #require(error).description
            #expect(error?.code == .connectionFailed)
            #expect(text.contains("host=\(target.host)"), "\(text)")
            #expect(text.contains("port=\(target.port)"), "\(text)")
            #expect(text.contains("dbname=\(target.database)"), "\(text)")
            #expect(!text.contains(password), "\(text)")
        }
    }

    @Test("a transaction commits, and one that throws is rolled back")
    func transactions() async throws {
        try await TestDatabase.withEmptyDatabase { configuration throws in
            try await withConnection(configuration) { connection throws in
                try await connection.execute("CREATE TABLE t (id bigint PRIMARY KEY, v text)")
                _ = try await connection.withTransaction { connection in
                    try await connection.execute("INSERT INTO t VALUES (1, 'kept')")
                }
                struct Abort: Error {}
                await #expect(throws: Abort.self) {
                    try await connection.withTransaction { connection in
                        try await connection.execute("INSERT INTO t VALUES (2, 'discarded')")
                        throw Abort()
                    }
                }
                // A statement error inside the transaction rolls back what came before it.
                await #expect(throws: PostgresError.self) {
                    try await connection.withTransaction { connection in
                        try await connection.execute("INSERT INTO t VALUES (3, 'discarded')")
                        try await connection.execute("INSERT INTO t VALUES (1, 'duplicate')")
                    }
                }
                let rows = try await connection.query("SELECT id, v FROM t ORDER BY id")
                #expect(try rows.map { try $0.decode(Int64.self, "id") } == [1])
                #expect(await connection.isInTransaction == false)
            }
        }
    }

    @Test("server errors carry SQLSTATE, message and detail; the connection stays usable")
    func serverErrors() async throws {
        try await TestDatabase.withEmptyDatabase { configuration throws in
            try await withConnection(configuration) { connection throws in
                try await connection.execute("CREATE TABLE u (k text PRIMARY KEY)")
                #expect(try await connection.execute("INSERT INTO u VALUES ($1), ($2)", ["a", "b"]) == 2)
                let duplicate = await #expect(throws: PostgresError.self) {
                    try await connection.execute("INSERT INTO u VALUES ($1)", ["a"])
                }
                #expect(duplicate?.code == .server)
                #expect(duplicate?.sqlState == PostgresError.SQLState.uniqueViolation)
                #expect(duplicate?.detail?.contains("(k)=(a)") == true)
                #expect(duplicate?.severity == "ERROR")
                // A constraint's detail repeats the row (a client session token, say): kept, never printed.
                try await connection.execute("CREATE TABLE t (status text CHECK (status <> 'bad'), token text)")
                let violation = await #expect(throws: PostgresError.self) {
                    try await connection.execute("INSERT INTO t VALUES ('bad', $1)", ["tok-SECRET-1"])
                }
                #expect(violation?.sqlState == "23514")
                #expect(violation?.detail?.contains("tok-SECRET-1") == true)
                #expect(
                    violation.map { !"\($0)".contains("tok-SECRET-1") } == true, "\(violation.map { "\($0)" } ?? "")")

                let missing = await #expect(throws: PostgresError.self) {
                    try await connection.query("SELECT * FROM no_such_table")
                }
                #expect(missing?.sqlState == PostgresError.SQLState.undefinedTable)
                #expect(missing?.message.contains("no_such_table") == true)

                let syntax = await #expect(throws: PostgresError.self) { try await connection.query("SELEC 1") }
                #expect(syntax?.sqlState == "42601")
                #expect(await connection.isUsable)
                #expect(try await connection.query("SELECT count(*) AS n FROM u")[0].decode(Int.self, "n") == 2)
            }
        }
    }

    @Test("cancelling the calling task cancels the query on the server; the connection stays usable")
    func cancellation() async throws {
        let server = try await TestDatabase.server()
        try await withConnection(server.configuration) { observer throws in
            try await withConnection(server.configuration) { connection throws in
                let pid = await connection.backendPID
                let started = ContinuousClock.now
                let sleeper = Task { try await connection.query("SELECT pg_sleep(10)") }
                #expect(try await eventually { try await backendState(pid, via: observer)?.state == "active" })
                sleeper.cancel()
                let outcome = await sleeper.result
                let elapsed = ContinuousClock.now - started
                #expect(throws: CancellationError.self) { try outcome.get() }
                #expect(elapsed < .seconds(5), "the query ran \(elapsed), so it was not cancelled on the server")
                // The backend is idle again, no longer running pg_sleep.
                #expect(try await eventually { try await backendState(pid, via: observer)?.state == "idle" })
                #expect(await connection.isUsable)
                #expect(try await connection.query("SELECT 41 + 1 AS answer")[0].decode(Int.self, "answer") == 42)
            }
        }
    }

    @Test("a task cancelled before its query starts never runs it")
    func cancelledBeforeStart() async throws {
        let server = try await TestDatabase.server()
        try await withConnection(server.configuration) { connection throws in
            let task = Task {
                try? await Task.sleep(for: .seconds(5))  // cancelled during this sleep
                return try await connection.query("SELECT pg_sleep(10)")
            }
            task.cancel()
            let started = ContinuousClock.now
            await #expect(throws: CancellationError.self) { try await task.value }
            #expect(ContinuousClock.now - started < .seconds(5))
            #expect(try await connection.query("SELECT 1 AS one").count == 1)
        }
    }

    @Test("statement_timeout surfaces as code .cancelled, not as task cancellation")
    func statementTimeout() async throws {
        let server = try await TestDatabase.server()
        try await withConnection(server.configuration) { connection throws in
            try await connection.execute("SET statement_timeout = '100ms'")
            let error = await #expect(throws: PostgresError.self) { try await connection.query("SELECT pg_sleep(5)") }
            #expect(error?.code == .cancelled)
            #expect(error?.sqlState == PostgresError.SQLState.queryCanceled)
        }
    }

    @Test("a terminated backend is reported as a lost connection")
    func lostConnection() async throws {
        let server = try await TestDatabase.server()
        try await withConnection(server.configuration) { killer throws in
            let victim = try await PostgresConnection.connect(server.configuration)
            let pid = await victim.backendPID
            let running = Task { try await victim.query("SELECT pg_sleep(10)") }
            #expect(try await eventually { try await backendState(pid, via: killer)?.state == "active" })
            try await killer.query("SELECT pg_terminate_backend($1)", [.integer(pid)])
            let error = await #expect(throws: PostgresError.self) { try await running.value }
            #expect(error?.code == .connectionLost, "\(String(describing: error))")
            #expect(await victim.isUsable == false)
            let again = await #expect(throws: PostgresError.self) { try await victim.query("SELECT 1") }
            #expect(again?.code == .connectionLost)
            await victim.close()
            let closed = await #expect(throws: PostgresError.self) { try await victim.query("SELECT 1") }
            #expect(closed?.code == .connectionClosed)
        }
    }

    @Test("a multi-statement script runs, and stops at the first error")
    func scripts() async throws {
        try await TestDatabase.withEmptyDatabase { configuration throws in
            try await withConnection(configuration) { connection throws in
                try await connection.executeScript(
                    "CREATE TABLE s (n int); INSERT INTO s VALUES (1); INSERT INTO s VALUES (2);")
                let error = await #expect(throws: PostgresError.self) {
                    try await connection.executeScript(
                        "INSERT INTO s VALUES (3); SELECT * FROM missing; INSERT INTO s VALUES (4);")
                }
                #expect(error?.sqlState == PostgresError.SQLState.undefinedTable)
                // A failing script is one implicit transaction: nothing from it stays.
                #expect(try await connection.query("SELECT count(*) AS n FROM s")[0].decode(Int.self, "n") == 2)
            }
        }
    }
}
