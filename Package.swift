// swift-tools-version:6.2
import PackageDescription

let strict: [SwiftSetting] = [
    .enableUpcomingFeature("ExistentialAny")
]

let package = Package(
    name: "idv-batch",
    platforms: [.macOS(.v15)],
    products: [
        .executable(name: "idv-batch", targets: ["idv-batch"]),
        .executable(name: "idv-sandbox", targets: ["idv-sandbox"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-log", from: "1.16.2"),
        .package(url: "https://github.com/apple/swift-crypto", from: "4.5.2"),
        .package(url: "https://github.com/apple/swift-nio", from: "2.101.2"),
        .package(url: "https://github.com/swift-server/async-http-client", from: "1.37.0"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle", from: "2.13.0"),
        .package(url: "https://github.com/jpsim/Yams", from: "6.2.2"),
        .package(url: "https://github.com/apple/swift-metrics", from: "2.13.0"),
        .package(url: "https://github.com/swift-server/swift-prometheus", from: "2.4.1"),
        .package(url: "https://github.com/x-sheep/swift-property-based", from: "2.0.1"),
        // The notifications receiver's HTTP server. Its default traits pull swift-configuration, unused here.
        .package(url: "https://github.com/hummingbird-project/hummingbird", from: "2.28.1", traits: []),
    ],
    targets: [
        // libpq, the only PostgreSQL driver (Debian: libpq-dev).
        .systemLibrary(
            name: "CLibPQ",
            pkgConfig: "libpq",
            providers: [.apt(["libpq-dev"]), .brew(["libpq"])]
        ),
        // The system libcrypto (OpenSSL 3; Debian: libssl-dev), which libpq already loads: signs Yoti request
        // digests in well under half the time swift-crypto's BoringSSL copy takes.
        .systemLibrary(
            name: "COpenSSL",
            pkgConfig: "libcrypto",
            providers: [.apt(["libssl-dev"]), .brew(["openssl@3"])]
        ),
        // The project's own async layer over libpq, the only PostgreSQL driver: connections, pool, typed
        // rows, migrations, errors. It starts no server and spawns no process.
        .target(
            name: "PostgresClient",
            dependencies: [
                "CLibPQ",
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: strict
        ),
        // Small OS helpers: blocking work off Swift's cooperative pool, this process's resource use.
        .target(
            name: "SystemSupport",
            swiftSettings: strict
        ),
        // A throwaway PostgreSQL server (initdb, pg_ctl) and child-process spawning, for tests, demo and bench.
        .target(
            name: "LocalPostgres",
            dependencies: ["PostgresClient", "SystemSupport"],
            swiftSettings: strict
        ),
        // Yoti models: request signing, the typed session spec, validation, merge patch, error bodies.
        .target(
            name: "YotiAPI",
            dependencies: [
                "COpenSSL",
                "SystemSupport",
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "_CryptoExtras", package: "swift-crypto"),
            ],
            swiftSettings: strict
        ),
        // The one logging metadata key scheme and the JSON-lines log handler.
        .target(
            name: "IDVLogging",
            dependencies: [
                .product(name: "Logging", package: "swift-log")
            ],
            swiftSettings: strict
        ),
        // HTTP clients for the Yoti IDV API and Yoti Sign, with the outcome taxonomy.
        .target(
            name: "YotiClient",
            dependencies: [
                "YotiAPI",
                "IDVLogging",
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
            ],
            swiftSettings: strict
        ),
        // A local Yoti-compatible API server (tests, demo, benchmarks, dry runs).
        .target(
            name: "YotiSandbox",
            dependencies: [
                "YotiAPI",
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "_CryptoExtras", package: "swift-crypto"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
            ],
            swiftSettings: strict
        ),
        // The runner core: claim, fan-out, retry, write-back, leases, sweeps, batches, rate limit, and the
        // operations behind the commands (enqueue, rerun, expire, status, configs). No argument parsing,
        // no job files, no YAML.
        .target(
            name: "IDVRunner",
            dependencies: [
                "PostgresClient",
                "SystemSupport",
                "YotiAPI",
                "YotiClient",
                "IDVLogging",
                .product(name: "CoreMetrics", package: "swift-metrics"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            swiftSettings: strict
        ),
        // The operating commands (migrate, enqueue, run, rerun, expire, status, configs): their options,
        // job files (YAML) and how flags override them, logging set-up, the metrics file, install paths.
        .target(
            name: "IDVCommands",
            dependencies: [
                "IDVRunner",
                "NotificationsReceiver",
                "IDVLogging",
                "PostgresClient",
                "SystemSupport",
                "YotiAPI",
                "YotiClient",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "CoreMetrics", package: "swift-metrics"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Prometheus", package: "swift-prometheus"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "UnixSignals", package: "swift-service-lifecycle"),
                .product(name: "Yams", package: "Yams"),
            ],
            swiftSettings: strict
        ),
        // What bounds every HTTP server the project runs: an idle timeout and a connection cap answering 503.
        .target(
            name: "HTTPServerLimits",
            dependencies: [
                .product(name: "HummingbirdCore", package: "hummingbird"),
                .product(name: "HummingbirdTLS", package: "hummingbird"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "NIOCore", package: "swift-nio"),
            ],
            swiftSettings: strict
        ),
        // `idv-batch notifications serve`: the HTTP receiver (Hummingbird) storing Yoti's notifications in
        // idv.notifications, once per identity; auth, bounds, health and metrics.
        .target(
            name: "NotificationsReceiver",
            dependencies: [
                "HTTPServerLimits",
                "PostgresClient",
                "IDVLogging",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HummingbirdCore", package: "hummingbird"),
                .product(name: "HummingbirdTLS", package: "hummingbird"),
                .product(name: "CoreMetrics", package: "swift-metrics"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "Prometheus", package: "swift-prometheus"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            swiftSettings: strict
        ),
        // `idv-batch demo`: the whole operator workflow against a throwaway PostgreSQL and the sandbox.
        .target(
            name: "IDVDemo",
            dependencies: [
                "IDVCommands",
                "IDVRunner",
                "LocalPostgres",
                "NotificationsReceiver",
                "PostgresClient",
                "YotiAPI",
                "YotiClient",
                "YotiSandbox",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "UnixSignals", package: "swift-service-lifecycle"),
            ],
            swiftSettings: strict
        ),
        // `idv-batch bench`: the performance figures, measured on a throwaway PostgreSQL and the sandbox.
        .target(
            name: "IDVBench",
            dependencies: [
                "IDVCommands",
                "IDVRunner",
                "LocalPostgres",
                "PostgresClient",
                "SystemSupport",
                "YotiAPI",
                "YotiClient",
                "YotiSandbox",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: strict
        ),
        // The `idv-batch` executable: the root command, composing the subcommands of the three libraries above.
        .executableTarget(
            name: "idv-batch",
            dependencies: [
                "IDVCommands",
                "IDVDemo",
                "IDVBench",
                "YotiAPI",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ],
            swiftSettings: strict
        ),
        // The `idv-sandbox` executable: the sandbox as a standalone server.
        .executableTarget(
            name: "idv-sandbox",
            dependencies: [
                "YotiSandbox",
                "YotiAPI",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: strict
        ),
        // Shared test helpers (used by tests only): the per-process throwaway PostgreSQL and migrated
        // databases, the built idv-batch as a child process, Prometheus text, fixtures, paths to Tests/Fixtures.
        .target(
            name: "TestSupport",
            dependencies: ["LocalPostgres", "PostgresClient", "YotiAPI"],
            swiftSettings: strict
        ),
        // One test target per module, named after it. Database tests use a real PostgreSQL (TestSupport's).
        .testTarget(
            name: "PostgresClientTests",
            dependencies: ["PostgresClient", "TestSupport"],
            swiftSettings: strict
        ),
        .testTarget(
            name: "LocalPostgresTests",
            dependencies: ["LocalPostgres", "PostgresClient", "TestSupport"],
            swiftSettings: strict
        ),
        .testTarget(
            name: "YotiAPITests",
            dependencies: [
                "YotiAPI", "TestSupport",
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "_CryptoExtras", package: "swift-crypto"),
                .product(name: "PropertyBased", package: "swift-property-based"),
            ],
            resources: [.copy("Fixtures")],
            swiftSettings: strict
        ),
        .testTarget(
            name: "IDVLoggingTests",
            dependencies: [
                "IDVLogging", "TestSupport",
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: strict
        ),
        .testTarget(
            name: "YotiClientTests",
            dependencies: [
                "YotiClient", "YotiAPI", "YotiSandbox", "TestSupport",
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
            ],
            swiftSettings: strict
        ),
        .testTarget(
            name: "YotiSandboxTests",
            dependencies: [
                "YotiSandbox", "YotiAPI", "TestSupport",
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
            ],
            swiftSettings: strict
        ),
        // The runner in process, and the campaigns: built `idv-batch run` processes under crashes, restarts, faults.
        .testTarget(
            name: "IDVRunnerTests",
            dependencies: [
                "IDVRunner", "IDVLogging", "LocalPostgres", "PostgresClient", "YotiAPI", "YotiClient", "YotiSandbox",
                "TestSupport",
                .product(name: "CoreMetrics", package: "swift-metrics"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Prometheus", package: "swift-prometheus"),
                .product(name: "PropertyBased", package: "swift-property-based"),
            ],
            swiftSettings: strict
        ),
        // The commands in process (job files, metrics file) and as built `idv-batch` processes.
        .testTarget(
            name: "IDVCommandsTests",
            dependencies: [
                "IDVCommands", "IDVRunner", "LocalPostgres", "PostgresClient", "YotiAPI", "YotiSandbox", "TestSupport",
                .product(name: "CoreMetrics", package: "swift-metrics"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: strict
        ),
        // The notifications receiver on loopback against a real PostgreSQL, tried as an attacker would.
        .testTarget(
            name: "NotificationsReceiverTests",
            dependencies: [
                "NotificationsReceiver", "HTTPServerLimits", "IDVLogging", "LocalPostgres", "PostgresClient",
                "SystemSupport", "TestSupport",
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "HummingbirdTLS", package: "hummingbird"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            swiftSettings: strict
        ),
        // `idv-batch demo` as a built process.
        .testTarget(
            name: "IDVDemoTests",
            dependencies: ["IDVDemo", "PostgresClient", "TestSupport"],
            swiftSettings: strict
        ),
        // `idv-batch bench` as a built process.
        .testTarget(
            name: "IDVBenchTests",
            dependencies: ["IDVBench", "LocalPostgres", "TestSupport"],
            swiftSettings: strict
        ),
    ]
)
