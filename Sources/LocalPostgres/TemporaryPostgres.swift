import Foundation
import PostgresClient
import Synchronization
import SystemSupport

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// A private, throwaway PostgreSQL server in a temporary directory, for tests and the demo.
///
/// ``start(maxConnections:)`` runs `initdb` (trust authentication, user `postgres`, UTF-8, C locale)
/// and starts the server on a unix socket in its own directory and on `127.0.0.1` at a free port,
/// tuned for speed over durability (no fsync). ``stop()`` shuts it down and deletes everything.
/// The first `initdb` result is cached per user and server version, so later clusters start by copying it.
///
/// The server never outlives this process: it is stopped at exit, and a watchdog process stops it
/// and removes its files if this process dies without exiting normally (killed test run, crash).
///
/// PostgreSQL refuses to run as root, so when this process is root the server binaries run as the
/// `postgres` user (`runuser -u postgres --`).
package final class TemporaryPostgres: Sendable {
    /// A libpq connection string for the `postgres` database over the unix socket (user `postgres`,
    /// no password).
    package let connectionString: String
    /// The same server over TCP on `127.0.0.1`.
    package let tcpConnectionString: String
    /// The TCP port on `127.0.0.1`.
    package let port: Int
    /// The temporary directory holding the data directory, the socket and the server log.
    package let directory: String
    /// How long ``start(maxConnections:)`` took, from `initdb` to the server accepting connections.
    package let startupDuration: Duration

    private let binaries: String
    private let runAsUser: String?
    private let watchdogPID: pid_t
    private let stopped = Mutex(false)

    /// A configuration for the server's `postgres` database over the unix socket.
    package var configuration: PostgresConfiguration {
        // Built from our own well-formed string, so parsing cannot fail.
        try! PostgresConfiguration(connectionString)
    }

    private init(
        directory: String, port: Int, binaries: String, runAsUser: String?, watchdogPID: pid_t,
        startupDuration: Duration
    ) {
        self.directory = directory
        self.port = port
        self.binaries = binaries
        self.runAsUser = runAsUser
        self.watchdogPID = watchdogPID
        self.startupDuration = startupDuration
        self.connectionString = "host=\(directory)/socket port=\(port) user=postgres dbname=postgres"
        self.tcpConnectionString = "host=127.0.0.1 port=\(port) user=postgres dbname=postgres"
    }

    /// Creates and starts a throwaway server; blocking steps run off Swift's cooperative pool.
    ///
    /// - Parameter maxConnections: The server's `max_connections` (default 200, enough for parallel tests).
    /// - Throws: ``TemporaryPostgresError`` when the server binaries are missing (with the install
    ///   command), or `initdb` or the server fails (with the tail of their log).
    package static func start(maxConnections: Int = 200) async throws -> TemporaryPostgres {
        try await offCooperativePool { try startBlocking(maxConnections: maxConnections) }
    }

    /// Stops the server and deletes its directory. Safe to call more than once.
    package func stop() async {
        _ = try? await offCooperativePool { self.stopBlocking() }
    }

    /// Stops the server (immediate shutdown: every connection dropped, as in a crash), keeps it down for
    /// `downtime`, then starts it again on the same port and data directory.
    ///
    /// Like a crash, it keeps only durable commits: this cluster runs with `synchronous_commit = off`,
    /// so set it `on` (per session, or `ALTER SYSTEM`) for data that must survive the restart.
    ///
    /// For tests of clients that must survive a database restart. Blocking steps run off Swift's pool.
    /// - Throws: ``TemporaryPostgresError`` `.startFailed` when the server does not come back.
    package func restart(downtime: Duration = .zero) async throws {
        let data = "\(directory)/data"
        _ = try await offCooperativePool {
            try ChildProcess.runBlocking(Self.stopCommand(self.binaries, self.runAsUser, data))
        }
        if downtime > .zero { try await Task.sleep(for: downtime) }
        try await offCooperativePool {
            try Self.pgCtlStart(binaries: self.binaries, runAsUser: self.runAsUser, directory: self.directory)
            try Self.waitUntilReady(self.connectionString, log: "\(self.directory)/server.log")
        }
    }

    /// The server log so far (for diagnosing a failing test).
    package func serverLog() -> String {
        serverLog(after: 0)
    }

    /// The server log's size in bytes so far: a mark for ``serverLog(after:)``.
    package var serverLogSize: Int {
        ((try? FileManager.default.attributesOfItem(atPath: "\(directory)/server.log"))?[.size] as? Int) ?? 0
    }

    /// The server log from byte `offset` on (what was logged since ``serverLogSize`` was read). Blocking file I/O.
    package func serverLog(after offset: Int) -> String {
        guard let handle = FileHandle(forReadingAtPath: "\(directory)/server.log") else { return "" }
        defer { try? handle.close() }
        guard (try? handle.seek(toOffset: UInt64(max(0, offset)))) != nil, let data = try? handle.readToEnd() else {
            return ""
        }
        return String(decoding: data, as: UTF8.self)
    }

    // MARK: - Starting

    private static func startBlocking(maxConnections: Int) throws -> TemporaryPostgres {
        let clock = ContinuousClock()
        let started = clock.now
        let binaries = try locateBinaries()
        let runAsUser = geteuid() == 0 ? "postgres" : nil
        let directory = try makeDirectory(owner: runAsUser)
        let data = "\(directory)/data"
        let socket = "\(directory)/socket"
        do {
            try FileManager.default.createDirectory(atPath: socket, withIntermediateDirectories: false)
            if let runAsUser { try changeOwner(socket, to: runAsUser) }

            try makeDataDirectory(data, binaries: binaries, runAsUser: runAsUser)

            let port = try freePort()
            // Settings go into postgresql.conf rather than through pg_ctl -o, which a shell re-parses.
            let settings = """

                listen_addresses = '127.0.0.1'
                port = \(port)
                unix_socket_directories = '\(socket)'
                max_connections = \(maxConnections)
                fsync = off
                synchronous_commit = off
                full_page_writes = off
                logging_collector = off

                """
            let handle = try FileHandle(forWritingTo: URL(fileURLWithPath: "\(data)/postgresql.conf"))
            try handle.seekToEnd()
            try handle.write(contentsOf: Data(settings.utf8))
            try handle.close()

            try pgCtlStart(binaries: binaries, runAsUser: runAsUser, directory: directory)
            let watchdog = try startWatchdog(directory: directory, stopCommand: stopCommand(binaries, runAsUser, data))
            do {
                try waitUntilReady(
                    "host=\(socket) port=\(port) user=postgres dbname=postgres", log: "\(directory)/server.log")
            } catch {
                teardown(watchdogPID: watchdog, binaries: binaries, runAsUser: runAsUser, directory: directory)
                throw error
            }
            let server = TemporaryPostgres(
                directory: directory, port: port, binaries: binaries, runAsUser: runAsUser,
                watchdogPID: watchdog, startupDuration: clock.now - started)
            ExitCleanup.register(server)
            return server
        } catch {
            try? FileManager.default.removeItem(atPath: directory)
            throw error
        }
    }

    /// Fills `data` with a fresh cluster: a copy of a cached `initdb` result when there is one for
    /// these binaries (about 0.1 s), else `initdb` itself (about 1 s), whose result is then cached.
    ///
    /// The cache lives in `/tmp/idv-pg-initdb-<uid>`, owned by this user and private to it, keyed by
    /// the binaries' path and the `initdb` file's size and date, so an upgrade never reuses a stale one.
    private static func makeDataDirectory(_ data: String, binaries: String, runAsUser: String?) throws {
        let fileManager = FileManager.default
        let cacheRoot = "/tmp/idv-pg-initdb-\(geteuid())"
        let attributes = try? fileManager.attributesOfItem(atPath: "\(binaries)/initdb")
        let stamp = [
            binaries, "\(attributes?[.size] ?? 0)",
            "\((attributes?[.modificationDate] as? Date)?.timeIntervalSince1970 ?? 0)",
        ].joined(separator: "|")
        let key = String(stableHash(stamp), radix: 16)
        let cached = "\(cacheRoot)/\(key)"
        let cacheUsable: Bool = {
            guard let owner = try? fileManager.attributesOfItem(atPath: cacheRoot)[.ownerAccountID] as? NSNumber
            else { return false }
            return owner.uint32Value == geteuid()
        }()
        if cacheUsable, fileManager.fileExists(atPath: "\(cached)/PG_VERSION") {
            let copy = try ChildProcess.runBlocking(["cp", "-a", cached, data])
            if copy.status == 0 { return }
            try? fileManager.removeItem(atPath: data)
        }

        let initdb = try ChildProcess.runBlocking(
            command(
                runAs: runAsUser,
                [
                    "\(binaries)/initdb", "-D", data, "-A", "trust", "-U", "postgres", "-E", "UTF8", "--locale=C",
                    "--no-sync",
                ]))
        guard initdb.status == 0 else {
            throw TemporaryPostgresError(
                code: .initdbFailed,
                message: "initdb failed (exit \(initdb.status)): \(tail(initdb.output)). "
                    + "Check that \(data) is writable and the disk is not full.")
        }
        // Publish to the cache by copy-then-rename, so a concurrent reader never sees half a cluster.
        if mkdir(cacheRoot, 0o700) == 0 || cacheUsable {
            let staging = "\(cacheRoot)/staging-\(getpid())-\(UUID().uuidString)"
            if (try? ChildProcess.runBlocking(["cp", "-a", data, staging]))?.status == 0,
                rename(staging, cached) == 0
            {
                return
            }
            _ = try? ChildProcess.runBlocking(["rm", "-rf", staging])
        }
    }

    /// FNV-1a: a hash that, unlike `Hasher`, is the same in every process.
    private static func stableHash(_ text: String) -> UInt64 {
        text.utf8.reduce(14_695_981_039_346_656_037 as UInt64) { ($0 ^ UInt64($1)) &* 1_099_511_628_211 }
    }

    /// `pg_ctl start` on `directory/data`, logging to `directory/server.log`; blocking.
    /// - Throws: ``TemporaryPostgresError`` `.startFailed` with the tail of pg_ctl's output.
    private static func pgCtlStart(binaries: String, runAsUser: String?, directory: String) throws {
        let pgctl = try ChildProcess.runBlocking(
            command(
                runAs: runAsUser,
                ["\(binaries)/pg_ctl", "start", "-W", "-D", "\(directory)/data", "-l", "\(directory)/server.log"]))
        guard pgctl.status == 0 else {
            throw TemporaryPostgresError(
                code: .startFailed, message: "pg_ctl start failed (exit \(pgctl.status)): \(tail(pgctl.output)).")
        }
    }

    /// Finds a directory holding `initdb`, `pg_ctl` and `postgres`.
    private static func locateBinaries() throws -> String {
        let required = ["initdb", "pg_ctl", "postgres"]
        func holdsServer(_ directory: String) -> Bool {
            required.allSatisfy { FileManager.default.isExecutableFile(atPath: "\(directory)/\($0)") }
        }
        // An explicit choice is used or reported, never silently replaced by another installation.
        if let override = ProcessInfo.processInfo.environment["IDV_POSTGRES_BINDIR"], !override.isEmpty {
            guard holdsServer(override) else {
                throw TemporaryPostgresError(
                    code: .binariesNotFound,
                    message: "IDV_POSTGRES_BINDIR=\(override) does not hold initdb, pg_ctl and postgres. Point it at "
                        + "the server's bin folder (e.g. /usr/lib/postgresql/15/bin), or unset it to search the usual places."
                )
            }
            return override
        }
        var candidates: [String] = []
        if let pgConfig = try? ChildProcess.runBlocking(["pg_config", "--bindir"]), pgConfig.status == 0 {
            candidates.append(pgConfig.output.trimmingCharacters(in: .whitespacesAndNewlines))
        }
        let versions = (try? FileManager.default.contentsOfDirectory(atPath: "/usr/lib/postgresql")) ?? []
        candidates += versions.sorted { (Int($0) ?? 0) > (Int($1) ?? 0) }.map { "/usr/lib/postgresql/\($0)/bin" }
        candidates += ["/usr/local/pgsql/bin", "/opt/homebrew/bin", "/usr/local/bin"]
        if let directory = candidates.first(where: holdsServer) { return directory }
        throw TemporaryPostgresError(
            code: .binariesNotFound,
            message: "No PostgreSQL server binaries (initdb, pg_ctl, postgres) were found via pg_config --bindir "
                + "or in /usr/lib/postgresql/*/bin. Install them with `apt-get install -y postgresql` "
                + "(or set IDV_POSTGRES_BINDIR), or point the tests at a running server with IDV_TEST_DATABASE_URL.")
    }

    private static func makeDirectory(owner: String?) throws -> String {
        // Short and under /tmp: a unix socket path must fit in about 100 bytes.
        var template = Array("/tmp/idv-pg-XXXXXX".utf8CString)
        guard let created = mkdtemp(&template) else {
            throw TemporaryPostgresError(
                code: .startFailed,
                message: "Could not create a directory under /tmp: \(String(cString: strerror(errno))).")
        }
        let directory = String(cString: created)
        if let owner { try changeOwner(directory, to: owner) }
        return directory
    }

    private static func changeOwner(_ path: String, to user: String) throws {
        guard let account = getpwnam(user) else {
            throw TemporaryPostgresError(
                code: .startFailed,
                message: "Running as root, but there is no '\(user)' user to run PostgreSQL as. "
                    + "Install the server package (`apt-get install -y postgresql`), which creates it.")
        }
        guard chown(path, account.pointee.pw_uid, account.pointee.pw_gid) == 0 else {
            throw TemporaryPostgresError(
                code: .startFailed, message: "Could not hand \(path) to \(user): \(String(cString: strerror(errno))).")
        }
    }

    private static func command(runAs user: String?, _ arguments: [String]) -> [String] {
        guard let user else { return arguments }
        return ["runuser", "-u", user, "--"] + arguments
    }

    private static func stopCommand(_ binaries: String, _ user: String?, _ data: String) -> [String] {
        command(runAs: user, ["\(binaries)/pg_ctl", "stop", "-D", data, "-m", "immediate", "-w"])
    }

    /// A port on 127.0.0.1 that was free a moment ago.
    ///
    /// Picked at random below the kernel's ephemeral range (`ip_local_port_range`) when there is room:
    /// a port from that range may be taken, while the server is down for ``restart(downtime:)``, as the
    /// local end of some outgoing connection, and the server could not listen on it again.
    private static func freePort() throws -> Int {
        let ephemeralStart = ephemeralPortRangeStart()
        if ephemeralStart > 12_000 {
            for _ in 0..<64 {
                let candidate = Int.random(in: 10_000..<ephemeralStart)
                if try bindLoopback(port: candidate) != nil { return candidate }
            }
        }
        guard let port = try bindLoopback(port: 0) else {
            throw TemporaryPostgresError(code: .startFailed, message: "Could not bind 127.0.0.1 to find a free port.")
        }
        return port
    }

    /// The first port of the kernel's ephemeral range (Linux; 32768 when it cannot be read).
    private static func ephemeralPortRangeStart() -> Int {
        guard let text = try? String(contentsOfFile: "/proc/sys/net/ipv4/ip_local_port_range", encoding: .utf8),
            let first = text.split(whereSeparator: { $0 == " " || $0 == "\t" || $0 == "\n" }).first,
            let start = Int(first)
        else { return 32_768 }
        return start
    }

    /// Binds a socket to 127.0.0.1:`port` (0: the kernel picks) and closes it; the port bound, or nil if taken.
    private static func bindLoopback(port: Int) throws -> Int? {
        let descriptor = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard descriptor >= 0 else {
            throw TemporaryPostgresError(code: .startFailed, message: "Could not open a socket to find a free port.")
        }
        defer { close(descriptor) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = UInt16(port).bigEndian
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafeMutablePointer(to: &address) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { generic in
                bind(descriptor, generic, length) == 0 && getsockname(descriptor, generic, &length) == 0
            }
        }
        return bound ? Int(UInt16(bigEndian: address.sin_port)) : nil
    }

    /// Starts a detached shell that stops the server and deletes `directory` once this process is gone.
    private static func startWatchdog(directory: String, stopCommand: [String]) throws -> pid_t {
        let script = """
            parent=$1; dir=$2; shift 2
            while kill -0 "$parent" 2>/dev/null; do sleep 0.5; done
            "$@"
            rm -rf "$dir"
            """
        return try ChildProcess.spawn(
            ["/bin/sh", "-c", script, "idv-pg-watchdog", String(getpid()), directory] + stopCommand,
            newSession: true)
    }

    /// Polls the server with ``PostgresPing`` every 10 ms until it accepts connections (30 s at most).
    private static func waitUntilReady(_ connectionString: String, log: String) throws {
        let deadline = ContinuousClock.now + .seconds(30)
        while ContinuousClock.now < deadline {
            if PostgresPing.acceptsConnections(connectionString + " connect_timeout=2") { return }
            usleep(10_000)
        }
        let serverLog = (try? String(contentsOfFile: log, encoding: .utf8)) ?? ""
        throw TemporaryPostgresError(
            code: .startFailed,
            message: "The throwaway PostgreSQL did not accept connections within 30 s. Server log: \(tail(serverLog))")
    }

    private static func tail(_ text: String) -> String {
        text.split(separator: "\n").suffix(5).joined(separator: " | ")
    }

    // MARK: - Stopping

    /// Stops the server (immediate shutdown: nothing here needs to survive) and deletes the directory.
    func stopBlocking() {
        let alreadyStopped = stopped.withLock { stopped in
            defer { stopped = true }
            return stopped
        }
        guard !alreadyStopped else { return }
        ExitCleanup.unregister(self)
        Self.teardown(watchdogPID: watchdogPID, binaries: binaries, runAsUser: runAsUser, directory: directory)
    }

    private static func teardown(watchdogPID: pid_t, binaries: String, runAsUser: String?, directory: String) {
        // The watchdog leads its own process group: kill the shell and its `sleep` together, then reap it.
        kill(-watchdogPID, SIGKILL)
        _ = ChildProcess.waitBlocking(watchdogPID)
        _ = try? ChildProcess.runBlocking(stopCommand(binaries, runAsUser, "\(directory)/data"))
        // A server process still exiting can add a file mid-removal; try again briefly before giving up.
        for attempt in 0..<5 where FileManager.default.fileExists(atPath: directory) {
            if attempt > 0 { usleep(100_000) }
            try? FileManager.default.removeItem(atPath: directory)
        }
    }
}

/// Stops every running ``TemporaryPostgres`` when the process exits normally.
private enum ExitCleanup {
    private static let servers = Mutex<[ObjectIdentifier: TemporaryPostgres]>([:])
    private static let installHook: Void = {
        atexit { ExitCleanup.stopAll() }
    }()

    static func register(_ server: TemporaryPostgres) {
        _ = installHook
        servers.withLock { $0[ObjectIdentifier(server)] = server }
    }

    static func unregister(_ server: TemporaryPostgres) {
        servers.withLock { _ = $0.removeValue(forKey: ObjectIdentifier(server)) }
    }

    private static func stopAll() {
        let running = servers.withLock { Array($0.values) }
        for server in running { server.stopBlocking() }
    }
}
