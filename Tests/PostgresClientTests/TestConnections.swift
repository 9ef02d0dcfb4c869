import Foundation
import PostgresClient
import Synchronization
import TestSupport

/// A `postgresql://` URI for the same target as `configuration` (socket directories percent-encoded).
func uri(for configuration: PostgresConfiguration, password: String? = nil) -> String {
    let host = configuration.host.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? configuration.host
    let credentials = password.map { "\(configuration.user):\($0)" } ?? configuration.user
    return "postgresql://\(credentials)@\(host):\(configuration.port)/\(configuration.database)"
}

/// Polls `condition` every 20 ms until it holds or `timeout` passes; returns whether it held.
func eventually(
    timeout: Duration = .seconds(10), _ condition: () async throws -> Bool
) async throws -> Bool {
    let deadline = ContinuousClock.now + timeout
    while ContinuousClock.now < deadline {
        if try await condition() { return true }
        try await Task.sleep(for: .milliseconds(20))
    }
    return try await condition()
}

/// Waits until backend `pid` has left `pg_stat_activity` and, when the server runs on this machine,
/// until the process has exited too (it closes its socket only then, a moment after leaving the view).
func waitForBackendExit(_ pid: Int32, via connection: PostgresConnection) async throws -> Bool {
    guard try await eventually({ try await backendState(pid, via: connection) == nil }) else { return false }
    _ = try await eventually(timeout: .seconds(5)) { !FileManager.default.fileExists(atPath: "/proc/\(pid)") }
    return true
}

/// The state of backend `pid` in `pg_stat_activity`, or nil when it is gone.
func backendState(_ pid: Int32, via connection: PostgresConnection) async throws -> (state: String?, query: String?)? {
    let rows = try await connection.query(
        "SELECT state, query FROM pg_stat_activity WHERE pid = $1", [.integer(pid)])
    guard let row = rows.first else { return nil }
    return (try row.decode(String?.self, "state"), try row.decode(String?.self, "query"))
}

/// Shared mutable state for test tasks (a `Mutex` cannot be captured by escaping closures itself).
final class Locked<Value: Sendable>: Sendable {
    private let mutex: Mutex<Value>

    init(_ value: Value) { mutex = Mutex(value) }

    func withLock<Result: Sendable>(_ body: (inout sending Value) -> sending Result) -> Result {
        mutex.withLock(body)
    }
}
