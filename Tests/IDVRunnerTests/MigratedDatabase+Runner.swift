import Foundation
import IDVRunner
import TestSupport
import YotiAPI

extension MigratedDatabase {
    /// Stores a named configuration holding ``TestSessionSpec/valid``.
    func addConfiguration(_ name: String) async throws {
        try await addConfiguration(name, TestSessionSpec.valid)
    }

    /// Loads `text` into `batch` with the runner's enqueuer.
    func enqueue(
        _ text: String, batch: String, format: EnqueueFormat = .jsonLines, config: String? = nil,
        adjust: (inout Enqueuer.Options) -> Void = { _ in }
    ) async throws -> EnqueueReport {
        let path = try Self.temporaryFile(text, suffix: format == .csv ? ".csv" : ".jsonl")
        defer { try? FileManager.default.removeItem(atPath: path) }
        var options = Enqueuer.Options(batchID: batch, format: format, defaultConfig: config)
        adjust(&options)
        return try await Enqueuer(database: pool, options: options).load(try .file(path))
    }
}
