extension IDVClient {
    /// Advanced settings, with documented defaults.
    package struct Options: Sendable {
        /// Time allowed to establish a connection (TCP + TLS). Default 10 s.
        package var connectTimeout: Duration
        /// Time allowed for a whole call once handed to the client, including waiting for a pooled
        /// connection. Default 30 s. A call that times out after being sent is an unknown outcome.
        package var requestTimeout: Duration
        /// Connections kept per host: set it to the runner's concurrency. Default 8.
        package var maxConnections: Int
        /// Sent as `X-Yoti-SDK`. Default `idv-batch`.
        package var sdkName: String
        /// Sent in `X-Yoti-SDK-Version` as `<sdkName>-<sdkVersion>`. Default `1.0.0`.
        package var sdkVersion: String
        /// Largest response body read (bytes); larger answers fail the call. Default 32 MiB (PDF letters).
        package var maxResponseBytes: Int
        /// Whether `createSession` with a spec runs ``SessionSpecValidator`` first. Default `true`.
        package var validatesSpecs: Bool

        /// Creates options; every parameter has the default documented on its property.
        package init(
            connectTimeout: Duration = .seconds(10),
            requestTimeout: Duration = .seconds(30),
            maxConnections: Int = 8,
            sdkName: String = "idv-batch",
            sdkVersion: String = "1.0.0",
            maxResponseBytes: Int = 32 << 20,
            validatesSpecs: Bool = true
        ) {
            self.connectTimeout = connectTimeout
            self.requestTimeout = requestTimeout
            self.maxConnections = maxConnections
            self.sdkName = sdkName
            self.sdkVersion = sdkVersion
            self.maxResponseBytes = maxResponseBytes
            self.validatesSpecs = validatesSpecs
        }
    }
}
