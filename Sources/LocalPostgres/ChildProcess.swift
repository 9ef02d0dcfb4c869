import Foundation
import SystemSupport

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// Starts and waits for helper programs (initdb, pg_ctl, the CLI in tests) with `posix_spawn`.
///
/// Not Foundation's `Process`: a server started through it can inherit a descriptor `Process` waits
/// on and hang it. Here every inherited descriptor above stderr is marked close-on-exec first, and
/// output goes to a file, so nothing the child leaves running can hold us up.
package enum ChildProcess {
    /// The outcome of a finished child.
    package struct Termination: Sendable {
        /// The exit status, or 128 + signal number when it was killed by a signal.
        package let status: Int32
        /// What it wrote to stdout and stderr (interleaved).
        package let output: String
    }

    /// Starts `arguments[0]` (searched in `PATH` when it has no slash) and returns its pid.
    ///
    /// - Parameters:
    ///   - arguments: The program and its arguments.
    ///   - environment: `KEY=value` pairs; `nil` inherits this process's environment.
    ///   - outputPath: File receiving stdout and stderr (created or truncated); `nil` means `/dev/null`.
    ///   - newSession: Start the child in its own session, so a Ctrl-C or group kill aimed at us spares it.
    /// - Throws: ``ChildProcessError`` when the program cannot be started.
    package static func spawn(
        _ arguments: [String], environment: [String: String]? = nil, outputPath: String? = nil,
        newSession: Bool = false
    ) throws -> pid_t {
        markInheritedDescriptorsCloseOnExec()
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 1, outputPath ?? "/dev/null", O_WRONLY | O_CREAT | O_TRUNC, 0o644)
        posix_spawn_file_actions_adddup2(&actions, 1, 2)

        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        if newSession {
            #if os(Linux)
                // glibc's POSIX_SPAWN_SETSID (0x80); Swift's Glibc module does not import the GNU extension.
                posix_spawnattr_setflags(&attributes, 0x80)
            #endif
        }

        let environmentPairs = (environment ?? ProcessInfo.processInfo.environment).map { "\($0.key)=\($0.value)" }
        let argv = arguments.map { strdup($0) } + [nil]
        let envp = environmentPairs.map { strdup($0) } + [nil]
        defer {
            argv.forEach { free($0) }
            envp.forEach { free($0) }
        }
        var pid: pid_t = 0
        let status = posix_spawnp(&pid, arguments[0], &actions, &attributes, argv, envp)
        guard status == 0 else {
            throw ChildProcessError(
                message: "Could not start \(arguments[0]): \(String(cString: strerror(status))). "
                    + "Check that it is installed and on PATH.")
        }
        return pid
    }

    /// Blocks until `pid` exits and returns its status (128 + signal when killed). Never call this on
    /// the cooperative pool; use ``run(_:environment:)``.
    package static func waitBlocking(_ pid: pid_t) -> Int32 {
        waitBlockingWithUsage(pid).status
    }

    /// Blocks until `pid` exits; returns its status (128 + signal when killed) and the resources it used
    /// (`wait4`'s `rusage`: CPU time, peak RSS). With `whileRunning`, polls every 50 ms instead of blocking
    /// in `wait4`, calling it between polls (e.g. to sample `/proc`). Never call this on the cooperative pool.
    package static func waitBlockingWithUsage(
        _ pid: pid_t, whileRunning poll: (() -> Void)? = nil
    ) -> (status: Int32, usage: rusage) {
        var raw: Int32 = 0
        var usage = rusage()
        while true {
            let reaped = wait4(pid, &raw, poll == nil ? 0 : WNOHANG, &usage)
            if reaped == pid { break }
            if reaped < 0 {
                if errno == EINTR { continue }
                return (-1, usage)
            }
            poll?()
            usleep(50_000)
        }
        // WIFEXITED / WEXITSTATUS / WTERMSIG by hand: Swift does not import the macros.
        let signal = raw & 0x7f
        return (signal == 0 ? (raw >> 8) & 0xff : 128 + signal, usage)
    }

    /// Runs a program to completion on a thread outside Swift's pool and returns its status and output.
    ///
    /// - Throws: ``ChildProcessError`` when the program cannot be started.
    package static func run(_ arguments: [String], environment: [String: String]? = nil) async throws -> Termination {
        try await offCooperativePool { try runBlocking(arguments, environment: environment) }
    }

    /// ``run(_:environment:)`` for callers already on a thread that may block.
    package static func runBlocking(_ arguments: [String], environment: [String: String]? = nil) throws -> Termination {
        let outputPath = FileManager.default.temporaryDirectory
            .appendingPathComponent("idv-child-\(UUID().uuidString).log").path
        defer { try? FileManager.default.removeItem(atPath: outputPath) }
        let pid = try spawn(arguments, environment: environment, outputPath: outputPath)
        let status = waitBlocking(pid)
        let output = (try? String(contentsOfFile: outputPath, encoding: .utf8)) ?? ""
        return Termination(status: status, output: output)
    }

    /// Marks every open descriptor above stderr close-on-exec, so children inherit only 0, 1 and 2.
    private static func markInheritedDescriptorsCloseOnExec() {
        #if os(Linux)
            let directory = "/proc/self/fd"
        #else
            let directory = "/dev/fd"
        #endif
        guard let entries = try? FileManager.default.contentsOfDirectory(atPath: directory) else { return }
        for descriptor in entries.compactMap(Int32.init) where descriptor > 2 {
            let flags = fcntl(descriptor, F_GETFD)
            if flags >= 0, flags & FD_CLOEXEC == 0 { _ = fcntl(descriptor, F_SETFD, flags | FD_CLOEXEC) }
        }
    }
}

/// A helper program could not be started.
package struct ChildProcessError: Error, CustomStringConvertible {
    package let message: String
    package var description: String { message }
}
