import Foundation
import LocalPostgres
import PostgresClient
import TestSupport
import Testing

@testable import IDVRunner

/// A million-line load through the CLI: everything arrives, in bounded memory. Takes minutes, so it
/// runs only when `IDV_ENQUEUE_VOLUME` is set (to the line count, e.g. 1000000).
@Suite("Enqueue volume (process)", .serialized)
struct EnqueueVolumeTests {
    static let lines = ProcessInfo.processInfo.environment["IDV_ENQUEUE_VOLUME"].flatMap { Int($0) }

    @Test("a large JSON Lines file loads completely with peak memory far below its size", .enabled(if: lines != nil))
    func millionLines() async throws {
        let count = try #require(Self.lines)
        try await MigratedDatabase.with { database in
            try await database.addConfiguration("standard")
            let path = FileManager.default.temporaryDirectory.appendingPathComponent(
                "idv-volume-\(UUID().uuidString).jsonl"
            ).path
            defer { try? FileManager.default.removeItem(atPath: path) }
            let fileBytes = try Self.writeFile(path: path, lines: count)
            let executable = try SharedPaths.builtExecutable(named: "idv-batch")
            let started = ContinuousClock.now
            let result = try await ChildProcess.run(
                [executable.path, "enqueue", "--batch", "volume", "--config", "standard", path],
                environment: IDVBatchProcess.environment([
                    "DATABASE_URL": database.configuration.unredactedConnectionString
                ]))
            let elapsed = ContinuousClock.now - started
            #expect(result.status == 0, "\(result.output)")
            #expect(result.output.contains("\(count) inserted"), "\(result.output)")
            #expect(
                try await database.count("SELECT 1 FROM idv.verification_requests WHERE batch_id = 'volume'") == count)
            let peakLine = result.output.split(separator: "\n").first { $0.hasPrefix("Peak memory:") }
            let peak = try #require(peakLine.flatMap { Double($0.split(separator: " ")[2]) })
            print(
                "enqueue volume: \(count) lines, \(fileBytes / 1_048_576) MiB file, \(elapsed), peak RSS \(peak) MiB\n"
                    + result.output)
            // Streaming: memory is a few chunks and one INSERT batch, whatever the file size.
            #expect(peak < 128)
        }
    }

    /// Writes `lines` JSON lines of about 180 bytes each and returns the file size.
    static func writeFile(path: String, lines: Int) throws -> Int {
        guard FileManager.default.createFile(atPath: path, contents: nil),
            let handle = FileHandle(forWritingAtPath: path)
        else {
            throw CocoaError(.fileWriteUnknown)
        }
        defer { try? handle.close() }
        var size = 0
        var chunk = ""
        for index in 1...lines {
            chunk +=
                #"{"external_ref": "person-\#(index)", "session_spec": {"resources": {"applicant_profile": "#
                + #"{"given_names": "Given \#(index)", "family_name": "Family", "date_of_birth": "1990-01-01"}}}}"#
                + "\n"
            if index % 10_000 == 0 || index == lines {
                let data = Data(chunk.utf8)
                size += data.count
                try handle.write(contentsOf: data)
                chunk = ""
            }
        }
        return size
    }
}
