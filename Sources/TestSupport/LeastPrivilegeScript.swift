import Foundation
import PostgresClient

/// `sql/roles/least-privilege.sql`, applied for a test. Roles are cluster-wide: two suites applying the script
/// at once on the shared test server race on the role catalog (23505 on `pg_authid`, "tuple concurrently
/// updated"), so this process applies it one test at a time.
package enum LeastPrivilegeScript {
    private static let turn = Turn()

    /// Runs the script `times` times (more than once shows it is idempotent) on one connection of `pool`.
    package static func apply(on pool: PostgresPool, times: Int = 1) async throws {
        let script = try String(
            contentsOf: SharedPaths.repositoryRoot.appendingPathComponent("sql/roles/least-privilege.sql"),
            encoding: .utf8)
        await turn.enter()
        do {
            try await pool.withConnection { connection in
                for _ in 0..<times { try await connection.executeScript(script) }
            }
        } catch {
            await turn.leave()
            throw error
        }
        await turn.leave()
    }

    /// One holder at a time, the others waiting in order.
    private actor Turn {
        private var held = false
        private var waiting: [CheckedContinuation<Void, Never>] = []

        func enter() async {
            guard held else {
                held = true
                return
            }
            await withCheckedContinuation { waiting.append($0) }
        }

        func leave() {
            if waiting.isEmpty { held = false } else { waiting.removeFirst().resume() }
        }
    }
}
