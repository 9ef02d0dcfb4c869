import Logging

/// Everything the sandbox needs to start: where to listen, whom to accept, and how to behave.
package struct SandboxConfiguration: Sendable {
    /// Address to bind (default `127.0.0.1`: the sandbox is for loopback).
    package var host: String
    /// Port to bind; 0 (default) picks a free ephemeral port, readable from `YotiSandbox.port` after start.
    package var port: Int
    /// The applications whose signatures are accepted; at least one.
    package var applications: [SandboxApplication]
    /// Yoti Sign API keys accepted as `Authorization: Bearer <key>` (default none: Sign calls get 401).
    package var signAPIKeys: [String]
    /// Faults, latency and limits; changeable at runtime.
    package var behaviour: SandboxBehaviour
    /// Less common knobs.
    package var options: Options

    /// Creates a configuration.
    package init(
        applications: [SandboxApplication],
        signAPIKeys: [String] = [],
        behaviour: SandboxBehaviour = .healthy,
        host: String = "127.0.0.1",
        port: Int = 0,
        options: Options = Options()
    ) {
        self.applications = applications
        self.signAPIKeys = signAPIKeys
        self.behaviour = behaviour
        self.host = host
        self.port = port
        self.options = options
    }

    /// Checks the configuration before binding.
    ///
    /// - Throws: `SandboxError.Code.invalidConfiguration` naming the problem.
    package func validate() throws {
        func fail(_ message: String) -> SandboxError { SandboxError(code: .invalidConfiguration, message: message) }
        guard !applications.isEmpty else { throw fail("configure at least one application (SDK ID and key)") }
        guard (0...65535).contains(port) else { throw fail("port \(port) is outside 0...65535") }
        guard options.nonceMemory > .zero else { throw fail("nonce memory must be positive") }
        if let skew = options.maxTimestampSkew, skew <= .zero {
            throw fail("the timestamp skew must be positive, or nil to accept any timestamp")
        }
        guard options.maxBodyBytes > 0 else { throw fail("the body limit must be positive") }
        guard options.specRetentionLimit >= 0 else { throw fail("the spec retention limit must not be negative") }
        try behaviour.validate()
    }
}

extension SandboxConfiguration {
    /// Advanced settings with documented defaults.
    package struct Options: Sendable {
        /// Requests whose `timestamp` differs from the sandbox's clock by more than this are rejected with 401
        /// (default 5 minutes); `nil` accepts any timestamp.
        package var maxTimestampSkew: Duration?
        /// How long a nonce is remembered to reject replays (default 10 minutes).
        package var nonceMemory: Duration
        /// Upper bound on remembered nonces, so memory stays bounded under any load (default 1,000,000).
        package var maxRememberedNonces: Int
        /// Largest request body accepted; larger ones get 413 (default 1 MiB).
        package var maxBodyBytes: Int
        /// How many of the most recent sessions keep their full spec for `YotiSandbox.session(id:)`
        /// (default 10,000); older sessions keep only their summary, so long runs use bounded memory.
        package var specRetentionLimit: Int
        /// Where request summaries go at `debug` (default: discarded). Tokens, digests and keys are never logged.
        package var logger: Logger

        /// Creates options with the documented defaults.
        package init(
            maxTimestampSkew: Duration? = .seconds(300),
            nonceMemory: Duration = .seconds(600),
            maxRememberedNonces: Int = 1_000_000,
            maxBodyBytes: Int = 1 << 20,
            specRetentionLimit: Int = 10_000,
            logger: Logger = Logger(label: "idv.sandbox", factory: { _ in SwiftLogNoOpLogHandler() })
        ) {
            self.maxTimestampSkew = maxTimestampSkew
            self.nonceMemory = nonceMemory
            self.maxRememberedNonces = maxRememberedNonces
            self.maxBodyBytes = maxBodyBytes
            self.specRetentionLimit = specRetentionLimit
            self.logger = logger
        }
    }
}

extension SandboxConfiguration: CustomStringConvertible {
    /// Lists SDK IDs and behaviour but never Sign API keys.
    package var description: String {
        "SandboxConfiguration(host: \(host), port: \(port), sdkIDs: \(applications.map(\.sdkID)), "
            + "signAPIKeys: \(signAPIKeys.count) <redacted>, behaviour: \(behaviour))"
    }
}
