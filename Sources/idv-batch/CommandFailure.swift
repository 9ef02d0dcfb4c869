import ArgumentParser
import Foundation

/// A command-level failure with design.md's exit code and a message for the operator.
///
/// Thrown inside a command's `run()`; ``exit()`` prints the message to standard error and turns it
/// into ArgumentParser's `ExitCode` so cron sees the right number (not ArgumentParser's own 64).
struct CommandFailure: Error, CustomStringConvertible {
    var exitCode: Int32
    var message: String

    var description: String { message }

    /// Prints the message and returns the exit to throw.
    func exit() -> ExitCode {
        FileHandle.standardError.write(Data(("idv-batch: " + message + "\n").utf8))
        return ExitCode(exitCode)
    }
}
