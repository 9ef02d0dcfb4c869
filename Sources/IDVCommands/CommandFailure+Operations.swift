import ArgumentParser
import Foundation
import IDVRunner
import PostgresClient

extension CommandFailure {
    /// The exit code and message docs/design.md gives an error thrown by an operating command.
    package init(_ error: any Error) {
        switch error {
        case let failure as CommandFailure:
            self = failure
        case let error as OperationError:
            self.init(exitCode: error.exitCode, message: error.message)
        case let error as JobFileError:
            self.init(exitCode: error.exitCode, message: error.description)
        case let error as MigrationError:
            self.init(exitCode: 2, message: error.message)
        case let error as PostgresError where error.code == .invalidConfiguration:
            self.init(exitCode: 2, message: error.description)
        case let error as PostgresError:
            self.init(exitCode: 3, message: "PostgreSQL: \(error)")
        case is CancellationError:
            self.init(
                exitCode: 130,
                message: "Interrupted; what was done so far is kept and the command is safe to run again.")
        default:
            self.init(exitCode: 3, message: "\(error)")
        }
    }

    /// Runs a command body that returns an exit code: 0 returns normally, anything else becomes that
    /// exit; errors print their message to standard error and exit with their code.
    package static func exiting(_ body: () async throws -> Int32) async throws {
        let code: Int32
        do {
            code = try await body()
        } catch let exit as ExitCode {
            throw exit
        } catch {
            throw CommandFailure(error).exit()
        }
        if code != 0 { throw ExitCode(code) }
    }
}
