import ArgumentParser
import Foundation
import Logging
import YotiAPI
import YotiSandbox

/// `idv-sandbox`: runs the local Yoti-compatible API server until SIGINT or SIGTERM.
@main
struct IDVSandboxCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "idv-sandbox",
        abstract: "A local stand-in for the Yoti IDV API and Yoti Sign session configurations.",
        discussion: """
            Endpoints:
              IDV (signed)  /idverify/v1/sessions, /sessions/{id},
                            /sessions/{id}/configuration, /sessions/{id}/instructions,
                            /sessions/{id}/instructions/pdf, .../instructions/email,
                            /supported-documents
              Yoti Sign     POST and GET /v2/idv/sessions/configs
                            (Authorization: Bearer <API key>)
              Stats         GET /__sandbox/stats, unsigned JSON: sessions created,
                            sessions per user_tracking_id and duplicates, signatures
                            rejected, answers by status, faults injected, peak
                            concurrency, POST /sessions per second (max, mean),
                            In-Branch letters emailed (per session) and email
                            requests turned into notifications

            In-Branch letters as Yoti documents them: PUT .../instructions emails
            nobody (400 naming the requirement id when a document requirement has
            no document); POST .../instructions/email emails the contact profile's
            address, or, for a session subscribing to INSTRUCTIONS_EMAIL_REQUESTED,
            posts that notification to the spec's endpoint instead.

            Every IDV request's X-Yoti-Auth-Digest is verified over the path and
            query as received. A missing or wrong digest, an unknown sdkId, a
            replayed nonce or a stale timestamp answers 401. Specs are validated
            like Yoti (400 PAYLOAD_VALIDATION with errors[]). 201 answers a fresh
            session id and token, with client_session_token_ttl one less than
            requested.

            Behaviours (all off by default):
              --latency-ms, --jitter-ms  delay every answer (fixed + uniform jitter)
              --rate R          at most R POST /sessions per sliding second;
                                above it 429 with Retry-After
              --delete-conflict DELETE /sessions/{id} answers 409 (checks unfinished)
              --seed N          reproducible fault and jitter draws
            Fault rates (0...1, summing to at most 1; one draw per POST /sessions,
            or per signed IDV request with --fault-scope all):
              --fault-500, --fault-503  an HTML error page; nothing created
              --fault-429       429 with Retry-After: 1; nothing created
              --fault-stall     hold the request --stall-ms, then close without
                                answering; the session is created unless
                                --stall-no-create
              --fault-reset-before  TCP reset as soon as the request head
                                arrives, body unread; nothing created
              --fault-reset-after   the session is created and counted, then a
                                TCP reset without answering
              --fault-malformed the session is created, then 201 with a
                                truncated JSON body

            Applications: --sdk-id with --public-key (PUBLIC KEY or RSA PUBLIC KEY
            PEM) or --private-key (the public key is derived from it), and any
            number of --application SDK_ID=KEY_FILE (public or private key PEM).
            The Yoti Sign API key comes from --sign-api-key or the
            YOTI_SIGN_API_KEY environment variable (prefer the variable: command
            lines are visible to other users).
            """,
        version: IDVBatchVersion.current
    )

    @Option(help: "Address to bind.") var host = "127.0.0.1"
    @Option(help: "Port to bind; 0 picks a free one (printed on start).") var port = 0
    @Option(name: .customLong("sdk-id"), help: "SDK ID of the application to accept.") var sdkID: String?
    @Option(help: "PEM file with that application's RSA public key.") var publicKey: String?
    @Option(help: "PEM file with that application's private key; the public key is derived from it.")
    var privateKey: String?
    @Option(help: "Another application, as SDK_ID=KEY_FILE (public or private key PEM). Repeatable.")
    var application: [String] = []
    @Option(help: "Yoti Sign API key accepted as a Bearer token (default: $YOTI_SIGN_API_KEY). Repeatable.")
    var signAPIKey: [String] = []

    @Option(
        help: ArgumentHelp(
            "Fixed latency of every answer, in milliseconds, counted from the request's arrival: the "
                + "signature check happens within it, as a real server's work is part of the latency its "
                + "clients see.")) var latencyMs = 0
    @Option(help: "Random extra latency, uniform in 0...N milliseconds.") var jitterMs = 0
    @Option(help: "Maximum POST /sessions accepted per sliding second; above it 429 with Retry-After.")
    var rate: Double?
    @Option(name: .customLong("fault-500"), help: "Probability of a 500 answer.") var fault500 = 0.0
    @Option(name: .customLong("fault-503"), help: "Probability of a 503 answer.") var fault503 = 0.0
    @Option(name: .customLong("fault-429"), help: "Probability of an injected 429 (Retry-After: 1).") var fault429 = 0.0
    @Option(help: "Probability of a stall (hold --stall-ms, then close without answering).") var faultStall = 0.0
    @Option(help: "How long a stalled request is held, in milliseconds; make it longer than the client timeout.")
    var stallMs = 30_000
    @Flag(help: "A stalled POST /sessions does not create its session.") var stallNoCreate = false
    @Option(help: "Probability of a TCP reset before the session is created.") var faultResetBefore = 0.0
    @Option(help: "Probability of a TCP reset after the session is created.") var faultResetAfter = 0.0
    @Option(help: "Probability of a 201 with a truncated JSON body (the session exists).") var faultMalformed = 0.0
    @Option(help: "Which requests faults apply to: 'create' (POST /sessions) or 'all' (every signed IDV request).")
    var faultScope = "create"
    @Flag(help: "DELETE /sessions/{id} answers 409 (checks unfinished).") var deleteConflict = false
    @Option(help: "Seed for fault and jitter draws and applicant fates, for reproducible runs.") var seed: UInt64?
    @Option(help: "Share of sessions whose simulated applicant completes (0...1; default 0: all stay ongoing).")
    var completeShare = 0.0
    @Option(help: "Share of sessions the simulated applicant abandons: EXPIRED after the delay (0...1).")
    var expireShare = 0.0
    @Option(help: "Seconds from creation until an applicant completes or abandons (sandbox clock).")
    var applicantDelayS = 0
    @Option(help: "Recommendation weights of completed sessions, APPROVE:REJECT:NOT_AVAILABLE (e.g. 6:3:1).")
    var recommendationMix = "1:0:0"
    @Option(help: "Probability that a notification POST is treated as refused (nothing sent; retried).")
    var notifyRefused = 0.0
    @Option(help: "Probability that a notification POST is sent but treated as answered 500 (retried: a replay).")
    var notifyServerError = 0.0
    @Option(help: "Probability that a notification POST is held --notify-slow-ms first.") var notifySlow = 0.0
    @Option(help: "How long a slow notification is held, in milliseconds.") var notifySlowMs = 1_000
    @Option(help: "Reject timestamps further than this many seconds from the clock; 0 accepts any.")
    var maxTimestampSkewS = 300
    @Flag(help: "Log every request (method, path, status) at debug level to stderr.") var verbose = false

    func validate() throws {
        if sdkID != nil && publicKey == nil && privateKey == nil {
            throw ValidationError("--sdk-id needs --public-key FILE or --private-key FILE")
        }
        if sdkID == nil && (publicKey != nil || privateKey != nil) {
            throw ValidationError("--public-key and --private-key need --sdk-id")
        }
        if sdkID == nil && application.isEmpty {
            throw ValidationError("configure an application: --sdk-id ID --public-key FILE, or --application ID=FILE")
        }
        guard ["create", "all"].contains(faultScope) else {
            throw ValidationError("--fault-scope must be 'create' or 'all'")
        }
        guard latencyMs >= 0, jitterMs >= 0, stallMs >= 0, maxTimestampSkewS >= 0 else {
            throw ValidationError("durations must not be negative")
        }
    }

    func run() async throws {
        LoggingSystem.bootstrap { label in
            var handler = StreamLogHandler.standardError(label: label)
            handler.logLevel = verbose ? .debug : .info
            return handler
        }
        let configuration = try makeConfiguration()
        let sandbox = try YotiSandbox(configuration: configuration)
        try await sandbox.start()
        // Written unbuffered so a script reading the port sees it at once, even through a pipe.
        Self.say(
            """
            idv-sandbox listening on \(host):\(sandbox.port)
            IDV API base:   \(sandbox.idvBaseURL)
            Yoti Sign base: \(sandbox.signBaseURL)
            Stats:          \(sandbox.statsURL)
            """)
        let signal = await SignalWaiter.waitForTermination()
        Self.say("idv-sandbox: received \(signal == SIGINT ? "SIGINT" : "SIGTERM"), shutting down")
        await sandbox.shutdown()
    }

    private static func say(_ text: String) {
        FileHandle.standardOutput.write(Data((text + "\n").utf8))
    }

    private func makeConfiguration() throws -> SandboxConfiguration {
        var applications: [SandboxApplication] = []
        if let sdkID, let file = publicKey ?? privateKey {
            applications.append(try SandboxApplication(sdkID: sdkID, keyFile: file))
        }
        for entry in application {
            guard let equals = entry.firstIndex(of: "="), equals != entry.startIndex else {
                throw ValidationError("--application must be SDK_ID=KEY_FILE, got '\(entry)'")
            }
            applications.append(
                try SandboxApplication(
                    sdkID: String(entry[..<equals]), keyFile: String(entry[entry.index(after: equals)...])))
        }
        var keys = signAPIKey
        if keys.isEmpty, let fromEnvironment = ProcessInfo.processInfo.environment["YOTI_SIGN_API_KEY"],
            !fromEnvironment.isEmpty
        {
            keys = [fromEnvironment]
        }
        let behaviour = SandboxBehaviour(
            latency: .milliseconds(latencyMs), jitter: .milliseconds(jitterMs), createRateLimit: rate,
            faults: .init(
                internalServerError: fault500, serviceUnavailable: fault503, tooManyRequests: fault429,
                stall: faultStall, resetBeforeCreating: faultResetBefore, resetAfterCreating: faultResetAfter,
                malformedCreated: faultMalformed),
            faultScope: faultScope == "all" ? .everyIDVRequest : .createSession,
            stallDuration: .milliseconds(stallMs), stallCreatesSession: !stallNoCreate,
            deleteAnswersConflict: deleteConflict, seed: seed,
            applicants: ApplicantSimulation(
                completeShare: completeShare, expireShare: expireShare, delay: .seconds(applicantDelayS),
                recommendationMix: try Self.mix(recommendationMix)),
            notifications: NotificationDelivery(
                refused: notifyRefused, serverError: notifyServerError, slow: notifySlow,
                slowDelay: .milliseconds(notifySlowMs)))
        var options = SandboxConfiguration.Options(
            maxTimestampSkew: maxTimestampSkewS == 0 ? nil : .seconds(maxTimestampSkewS))
        options.logger = Logger(label: "idv-sandbox")
        return SandboxConfiguration(
            applications: applications, signAPIKeys: keys, behaviour: behaviour, host: host, port: port,
            options: options)
    }

    /// Parses `--recommendation-mix A:R:N`.
    static func mix(_ text: String) throws -> ApplicantSimulation.RecommendationMix {
        let parts = text.split(separator: ":").compactMap { Double($0) }
        guard parts.count == 3 else {
            throw ValidationError("--recommendation-mix takes three weights APPROVE:REJECT:NOT_AVAILABLE, e.g. 6:3:1")
        }
        return .init(approve: parts[0], reject: parts[1], notAvailable: parts[2])
    }
}
