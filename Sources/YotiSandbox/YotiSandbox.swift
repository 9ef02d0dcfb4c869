import Foundation
import NIOCore
import NIOHTTP1
import NIOPosix
import Synchronization
import YotiAPI

/// A local stand-in for the Yoti IDV API and the Yoti Sign session-configuration API, on loopback.
///
/// Verifies request signatures like Yoti, keeps sessions in memory, and misbehaves on request (latency, a rate
/// limit, injected faults) so clients can be tested against every outcome. Typical use:
///
/// ```swift
/// let sandbox = try YotiSandbox(configuration: SandboxConfiguration(applications: [app]))
/// try await sandbox.start()
/// defer { Task { await sandbox.shutdown() } }
/// // point a client at sandbox.idvBaseURL
/// ```
package final class YotiSandbox: Sendable {
    /// The configuration the sandbox was created with (its behaviour may since have changed).
    package let configuration: SandboxConfiguration
    let core: SandboxCore
    private let lifecycle = Mutex<Lifecycle>(.idle)

    private enum Lifecycle {
        case idle
        case starting
        case running(port: Int, acceptLoop: Task<Void, Never>, listener: any Channel)
        case stopped
    }

    /// Creates a sandbox; nothing listens until `start()`.
    ///
    /// - Throws: `SandboxError.Code.invalidConfiguration` when the configuration is out of range.
    package init(configuration: SandboxConfiguration) throws {
        try configuration.validate()
        self.configuration = configuration
        self.core = SandboxCore(configuration: configuration)
    }

    /// Binds the listening socket and starts serving; returns once the port is bound.
    ///
    /// - Throws: `SandboxError.Code.alreadyStarted` on a second call, or the bind error (e.g. port in use).
    package func start() async throws {
        try lifecycle.withLock { state in
            guard case .idle = state else {
                throw SandboxError(code: .alreadyStarted, message: "the sandbox was already started; create a new one")
            }
            state = .starting
        }
        let server: NIOAsyncChannel<SandboxConnection.Channel, Never>
        do {
            server = try await ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton)
                .serverChannelOption(ChannelOptions.socketOption(.so_reuseaddr), value: 1)
                .childChannelOption(ChannelOptions.tcpOption(.tcp_nodelay), value: 1)
                .bind(host: configuration.host, port: configuration.port) { channel in
                    channel.eventLoop.makeCompletedFuture {
                        try channel.pipeline.syncOperations.configureHTTPServerPipeline(withErrorHandling: true)
                        return try SandboxConnection.Channel(wrappingChannelSynchronously: channel)
                    }
                }
        } catch {
            lifecycle.withLock { $0 = .idle }
            throw error
        }
        let port = server.channel.localAddress?.port ?? configuration.port
        let connection = SandboxConnection(core: core)
        let core = self.core
        let acceptLoop = Task {
            await withDiscardingTaskGroup { group in
                group.addTask { await SandboxNotifier.run(core: core) }
                await Self.accept(on: server, serving: connection)
                group.cancelAll()
            }
        }
        let listener = server.channel
        lifecycle.withLock { $0 = .running(port: port, acceptLoop: acceptLoop, listener: listener) }
        configuration.options.logger.info("sandbox listening", metadata: ["sandbox.port": "\(port)"])
    }

    /// Stops listening and closes every connection (stalled requests included). Safe to call twice.
    ///
    /// The listening socket is closed first, so the accept loop takes every connection accepted until then
    /// and closes it properly. (Cancelling the loop instead dropped connections accepted at that moment with
    /// their writers unfinished, which SwiftNIO traps on: a demo interrupted mid-run crashed that way.)
    package func shutdown() async {
        let running: (Task<Void, Never>, any Channel)? = lifecycle.withLock { state in
            defer { state = .stopped }
            if case .running(_, let task, let listener) = state { return (task, listener) }
            return nil
        }
        guard let (acceptLoop, listener) = running else { return }
        try? await listener.close()
        await acceptLoop.value
    }

    private static func accept(
        on server: NIOAsyncChannel<SandboxConnection.Channel, Never>, serving connection: SandboxConnection
    )
        async
    {
        await withDiscardingTaskGroup { group in
            do {
                try await server.executeThenClose { inbound in
                    for try await child in inbound {
                        group.addTask { await connection.serve(child) }
                    }
                }
            } catch {
                // shutdown() closes the listener, which ends the loop once every accepted connection is taken.
            }
            group.cancelAll()
        }
    }

    /// The bound port. Only meaningful after `start()` returned; 0 before.
    package var port: Int {
        lifecycle.withLock { state in
            if case .running(let port, _, _) = state { return port }
            return 0
        }
    }

    private var urlHost: String {
        configuration.host == "0.0.0.0" || configuration.host == "::" ? "127.0.0.1" : configuration.host
    }

    /// The IDV API base, e.g. `http://127.0.0.1:PORT/idverify/v1` (no trailing slash).
    package var idvBaseURL: String { "http://\(urlHost):\(port)\(SandboxRoute.idvPrefix)" }

    /// The Yoti Sign API base, e.g. `http://127.0.0.1:PORT` (configs live at `/v2/idv/sessions/configs`).
    package var signBaseURL: String { "http://\(urlHost):\(port)" }

    /// The unsigned introspection endpoint answering `SandboxStats` as JSON.
    package var statsURL: String { "http://\(urlHost):\(port)\(SandboxRoute.statsPath)" }
}

extension YotiSandbox {
    /// What the sandbox has seen so far.
    package func stats() -> SandboxStats { core.state.withLock { $0.stats } }

    /// The current behaviour.
    package var behaviour: SandboxBehaviour { core.state.withLock { $0.behaviour } }

    /// Switches behaviour for requests arriving from now on; re-seeds the generator and restarts the rate window.
    ///
    /// - Throws: `SandboxError.Code.invalidConfiguration` when a value is out of range (the behaviour is unchanged).
    package func setBehaviour(_ behaviour: SandboxBehaviour) throws {
        try behaviour.validate()
        core.state.withLock { $0.setBehaviour(behaviour) }
    }

    /// Forgets sessions, Sign configurations, nonces, counters and clock adjustments; keeps the behaviour.
    package func reset() { core.state.withLock { $0.reset() } }

    /// The stored session with this id, or `nil` (unknown or deleted).
    package func session(id: String) -> SandboxSession? { core.state.withLock { $0.sessions[id] } }

    /// Every stored session (deleted ones are gone), in no particular order.
    package func sessions() -> [SandboxSession] { core.state.withLock { Array($0.sessions.values) } }

    /// Every stored session with this `user_tracking_id`, oldest first.
    package func sessions(userTrackingID: String) -> [SandboxSession] {
        core.state.withLock { state in
            state.sessions.values.filter { $0.userTrackingID == userTrackingID }.sorted { $0.createdAt < $1.createdAt }
        }
    }

    /// Marks a session's checks finished, so `GET` reports `COMPLETED`. Returns false for an unknown id.
    @discardableResult
    package func completeSession(id: String) -> Bool {
        core.state.withLock { state in
            guard let session = state.sessions[id] else { return false }
            state.sessions[id]?.isCompleted = true
            if session.state(at: state.now) != .completed,
                let notification = PendingNotification.completion(of: session, due: state.now)
            {
                state.pendingNotifications.append(notification)
            }
            return true
        }
    }

    /// Stores `count` ongoing sessions of the application `sdkID` without requests (benchmarks that need many
    /// sessions to read back, not to create), each with its fate drawn as for a created one.
    /// - Returns: their session ids, in creation order.
    package func seedSessions(count: Int, sdkID: String, ttl: Duration = .seconds(3600)) -> [String] {
        core.state.withLock { state in
            (0..<count).map { index in
                let now = state.now
                var session = SandboxSession(
                    id: UUID().uuidString.lowercased(), sdkID: sdkID, userTrackingID: "seeded-\(index)", createdAt: now,
                    tokenExpiresAt: now.addingTimeInterval(ttl.inSeconds), isCompleted: false, requirements: [],
                    hasInstructions: false, spec: nil)
                state.assignFate(to: &session)
                state.store(session)
                return session.id
            }
        }
    }

    /// Moves the sandbox's session clock forward, so tokens expire without waiting.
    ///
    /// Affects session lifetimes only; signature timestamps are still checked against the real clock.
    package func advanceClock(by duration: Duration) { core.state.withLock { $0.clockOffset += duration } }

    /// The Yoti Sign configurations stored so far, in creation order.
    package func signConfigurations() -> [SandboxSignConfiguration] { core.state.withLock { $0.signConfigs } }
}
