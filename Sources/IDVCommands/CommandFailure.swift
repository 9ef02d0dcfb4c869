import ArgumentParser
import Foundation

/// A command-level failure with docs/design.md's exit code and a message for the operator.
///
/// Thrown inside a command's `run()`; ``exit()`` prints the message to standard error and turns it
/// into ArgumentParser's `ExitCode` so cron sees the right number (not ArgumentParser's own 64).
package struct CommandFailure: Error, CustomStringConvertible {
    /// The process exit code (docs/design.md: 1 some rows failed, 2 usage, 3 aborted, …).
    package var exitCode: Int32
    /// What happened and what to do next, for the operator.
    package var message: String

    /// A failure exiting with `exitCode` after printing `message`.
    package init(exitCode: Int32, message: String) {
        self.exitCode = exitCode
        self.message = message
    }

    package var description: String { message }

    /// Prints the message and returns the exit to throw.
    package func exit() -> ExitCode {
        FileHandle.standardError.write(Data(("idv-batch: " + message + "\n").utf8))
        return ExitCode(exitCode)
    }
}
