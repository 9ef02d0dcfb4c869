import ArgumentParser
import Foundation
import IDVRunner

/// `--job FILE`: settings from a job file under `jobs/`; flags on the command line override it.
struct JobOption: ParsableArguments {
    @Option(
        name: .customLong("job"),
        help: ArgumentHelp(
            "A job file (jobs/*.yml) with this command's settings; flags given here override it.", valueName: "file"))
    var path: String?

    /// The job file, checked to be for `command`; `nil` without `--job`.
    /// - Throws: ``JobFileError`` naming the file, key and line.
    func load(for command: JobCommand) throws -> JobFile? {
        guard let path else { return nil }
        let job = try JobFile.load(path: path)
        try job.require(command)
        return job
    }

    /// The process environment with the job's named variables and values applied (or unchanged without a job).
    static func environment(for job: JobFile?) throws -> [String: String] {
        let environment = ProcessInfo.processInfo.environment
        guard let job else { return environment }
        return try job.connections.environment(overlaying: environment, file: job.path)
    }
}
