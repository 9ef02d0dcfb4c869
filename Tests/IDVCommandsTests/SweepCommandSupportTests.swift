import Foundation
import TestSupport
import Testing

@testable import IDVCommands

/// `expire` and `purge` read `--as-of` and `--request-timeout` the same way, and refuse bad ones before
/// touching anything.
@Suite("Sweeping commands: --as-of and --request-timeout")
struct SweepCommandSupportTests {
    @Test("--as-of: an RFC 3339 time, nothing, or exit 2 naming the text and an example")
    func asOf() throws {
        #expect(try SweepCommandSupport.asOf(nil) == nil)
        #expect(try SweepCommandSupport.asOf("2026-12-01T00:00:00Z") == Date(timeIntervalSince1970: 1_796_083_200))
        let error = #expect(throws: CommandFailure.self) { try SweepCommandSupport.asOf("yesterday") }
        #expect(error?.exitCode == 2)
        #expect(error?.message.contains("\"yesterday\" is not an RFC 3339 time") == true)
    }

    @Test("--request-timeout: the flag over the job file over 30 s; zero or less is exit 2")
    func requestTimeout() throws {
        #expect(try SweepCommandSupport.requestTimeout(nil, nil) == 30)
        #expect(try SweepCommandSupport.requestTimeout(nil, 12) == 12)
        #expect(try SweepCommandSupport.requestTimeout(5, 12) == 5)
        let error = #expect(throws: CommandFailure.self) { try SweepCommandSupport.requestTimeout(0, nil) }
        #expect(error?.exitCode == 2)
    }

    @Test(
        "expire and purge refuse a bad --as-of with exit 2 before connecting anywhere", arguments: ["purge", "expire"])
    func refusedBeforeConnecting(command: String) async throws {
        let result = try await IDVBatchProcess.run(
            [command, "--as-of", "last tuesday"], environment: ["DATABASE_URL": "postgres://127.0.0.1:1/none"])
        #expect(result.status == 2, "\(result.output)")
        #expect(result.output.contains("\"last tuesday\" is not an RFC 3339 time"))
    }
}
