import Foundation
import SystemSupport
import YotiAPI

extension Benchmark {
    /// What `openssl speed` said, or why there is nothing to compare with.
    enum OpenSSLSpeed: Sendable {
        /// CPU seconds of one RSA-2048 signature (its "sign" column: user time).
        case signature(Double, version: String)
        case unavailable(String)
    }

    /// Runs `openssl speed -seconds 3 rsa2048` and reads its per-signature time.
    func openSSLSignatureSeconds() async -> OpenSSLSpeed {
        guard let openssl = Self.findExecutable("openssl") else {
            return .unavailable("no `openssl` binary on PATH: the ratio to `openssl speed` is skipped")
        }
        let speed = try? await offCooperativePool { () -> OpenSSLSpeed in
            guard let version = Self.output(of: openssl, ["version"]),
                let speed = Self.output(of: openssl, ["speed", "-seconds", "3", "rsa2048"])
            else { return .unavailable("`\(openssl) speed -seconds 3 rsa2048` failed") }
            guard let seconds = Self.parseOpenSSLSignSeconds(speed) else {
                return .unavailable("could not read the sign time from `openssl speed`'s output")
            }
            return .signature(seconds, version: version.trimmingCharacters(in: .whitespacesAndNewlines))
        }
        return speed ?? .unavailable("could not start `openssl speed` off the cooperative pool")
    }

    /// The "sign" seconds of the `rsa 2048 bits 0.000258s 0.000018s 3883.3 54638.5` line.
    static func parseOpenSSLSignSeconds(_ output: String) -> Double? {
        for line in output.split(separator: "\n") where line.hasPrefix("rsa") && line.contains("2048 bits") {
            let fields = line.split(separator: " ")
            if let sign = fields.first(where: { $0.hasSuffix("s") && $0.first?.isNumber == true }) {
                return Double(sign.dropLast())
            }
        }
        return nil
    }

    /// Figure 2c: the signature the runner pays (``RequestSigner/measureSignatureCost(iterations:)``, the
    /// system libcrypto) ÷ `openssl speed`'s in the same run.
    func signatureAgainstOpenSSL() async throws -> BenchFigure {
        let signer = RequestSigner(sdkID: Self.sdkID, key: key)
        let iterations = max(sizes.signatures, 1)
        let cost = try await offCooperativePool { try signer.measureSignatureCost(iterations: iterations) }
        let runner = cost.cpu.secondsDouble
        let name = "runner's request signature ÷ `openssl speed rsa2048` sign"
        switch await openSSLSignatureSeconds() {
        case .signature(let openssl, let version):
            return BenchFigure(
                id: "2c", name: name, measured: runner * 1000, unit: "ms", baseline: openssl * 1000,
                baselineUnit: "ms", ratio: runner / openssl, goal: .ratioAtMost(1.15),
                note: "RequestSigner.measureSignatureCost over \(BenchFigure.grouped(Double(iterations))) signatures "
                    + "(thread CPU, message and base64 included); \(version), `openssl speed -seconds 3 rsa2048` "
                    + "sign column (user CPU)")
        case .unavailable(let reason):
            return BenchFigure(id: "2c", name: name, measured: runner * 1000, unit: "ms", note: reason)
        }
    }

    /// Figure 2d: the sandbox's CPU per request beside the runner's CPU per session (same run).
    func sandboxAgainstRunner(_ run: WorkerRun) -> BenchFigure {
        let requests = run.sandboxStats.requestsByStatus.values.reduce(0, +)
        let sandbox = run.sandboxCPUSeconds / Double(max(requests, 1))
        let runner = run.workerCPUSeconds / Double(max(run.created, 1))
        return BenchFigure(
            id: "2d", name: "sandbox CPU per request ÷ runner CPU per session", measured: sandbox * 1000, unit: "ms",
            baseline: runner * 1000, baselineUnit: "ms", ratio: sandbox / runner, goal: .ratioAtMost(1.0),
            note: "the sandbox runs inside this `bench` process: its CPU (getrusage of this process, the bench's "
                + "own polling included) over " + BenchFigure.grouped(Double(requests))
                + " requests; below 1 means it is not the bottleneck")
    }

    private static func findExecutable(_ name: String) -> String? {
        let path = ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin"
        return path.split(separator: ":").map { "\($0)/\(name)" }.first {
            FileManager.default.isExecutableFile(atPath: $0)
        }
    }

    /// Standard output of `executable arguments`, or nil when it cannot run or fails. Blocks.
    ///
    /// Spawned with an empty signal mask and SIGALRM at its default: `openssl speed` times itself with
    /// `alarm()`, and a child inherits the mask of the (dispatch) thread that starts it, where SIGALRM is
    /// blocked, so through `Process` it would never stop.
    private static func output(of executable: String, _ arguments: [String]) -> String? {
        let outputPath = FileManager.default.temporaryDirectory.appendingPathComponent("idv-openssl-\(UUID())").path
        defer { try? FileManager.default.removeItem(atPath: outputPath) }
        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        var mask = sigset_t()
        sigemptyset(&mask)
        posix_spawnattr_setsigmask(&attributes, &mask)
        var defaults = sigset_t()
        sigemptyset(&defaults)
        sigaddset(&defaults, SIGALRM)
        posix_spawnattr_setsigdefault(&attributes, &defaults)
        posix_spawnattr_setflags(&attributes, Int16(POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF))
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 1, outputPath, O_WRONLY | O_CREAT | O_TRUNC, 0o600)
        posix_spawn_file_actions_addopen(&actions, 2, "/dev/null", O_WRONLY, 0)
        let argv = ([executable] + arguments).map { strdup($0) } + [nil]
        defer { argv.forEach { free($0) } }
        var pid: pid_t = 0
        guard posix_spawn(&pid, executable, &actions, &attributes, argv, environ) == 0 else { return nil }
        var status: Int32 = 0
        while waitpid(pid, &status, 0) < 0 && errno == EINTR {}
        // Exited normally with status 0 (WIFEXITED and WEXITSTATUS by hand: Swift does not import them).
        guard status & 0x7F == 0, (status >> 8) & 0xFF == 0 else { return nil }
        return try? String(contentsOfFile: outputPath, encoding: .utf8)
    }
}
