import Foundation
import LocalPostgres
import PostgresClient

/// Runs one test of this test binary again in a child process, alone.
///
/// For measurements that other suites running in parallel would disturb (timer lateness): the
/// child has its own cooperative pool and runs nothing else. The child sees `IDV_ISOLATED_TEST=name`
/// and does the measurement; the parent checks the child's exit status and output.
package enum IsolatedTest {
    /// The environment variable that tells a test it is the isolated child.
    package static let variable = "IDV_ISOLATED_TEST"

    /// Runs the test binary with `--filter filter`, `IDV_ISOLATED_TEST=name` and `environment` added.
    package static func run(
        filter: String, name: String, environment: [String: String] = [:]
    ) async throws -> ChildProcess.Termination {
        let binary = URL(fileURLWithPath: "/proc/self/exe").resolvingSymlinksInPath().path
        var childEnvironment = ProcessInfo.processInfo.environment
        childEnvironment[variable] = name
        childEnvironment.merge(environment) { _, new in new }
        return try await ChildProcess.run(
            [binary, "--testing-library", "swift-testing", "--filter", filter], environment: childEnvironment)
    }
}
