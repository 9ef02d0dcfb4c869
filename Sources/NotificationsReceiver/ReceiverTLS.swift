import HummingbirdTLS

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// TLS served by the receiver itself (`--tls-cert`, `--tls-key`), for when no reverse proxy is in front.
package struct ReceiverTLS: Sendable {
    /// PEM certificate chain (leaf first).
    package var certificatePath: String
    /// PEM private key; must be readable by its owner only (mode 0600 or stricter).
    package var privateKeyPath: String

    package init(certificatePath: String, privateKeyPath: String) {
        self.certificatePath = certificatePath
        self.privateKeyPath = privateKeyPath
    }

    /// The server configuration, read from the files now (so a bad file fails at start-up); TLS 1.2 or later.
    /// - Throws: ``ReceiverTLSError`` naming the file and what to do.
    package func serverConfiguration() throws -> TLSConfiguration {
        var status = stat()
        guard stat(privateKeyPath, &status) == 0 else {
            throw ReceiverTLSError(description: "Cannot read the TLS key \(privateKeyPath): check the path.")
        }
        guard status.st_mode & 0o077 == 0 else {
            throw ReceiverTLSError(
                description: "The TLS key \(privateKeyPath) may be read by others: run `chmod 600 \(privateKeyPath)`.")
        }
        let chain: [NIOSSLCertificate]
        do {
            chain = try NIOSSLCertificate.fromPEMFile(certificatePath)
        } catch {
            throw ReceiverTLSError(
                description: "Cannot read the TLS certificate chain \(certificatePath) (PEM expected): \(error)")
        }
        guard !chain.isEmpty else {
            throw ReceiverTLSError(description: "The TLS certificate file \(certificatePath) holds no certificate.")
        }
        let key: NIOSSLPrivateKey
        do {
            key = try NIOSSLPrivateKey(file: privateKeyPath, format: .pem)
        } catch {
            throw ReceiverTLSError(description: "Cannot read the TLS key \(privateKeyPath) (PEM expected).")
        }
        var configuration = TLSConfiguration.makeServerConfiguration(
            certificateChain: chain.map { .certificate($0) }, privateKey: .privateKey(key))
        // swift-nio-ssl's default minimum is TLS 1.0; 1.0 and 1.1 are deprecated (RFC 8996).
        configuration.minimumTLSVersion = .tlsv12
        return configuration
    }
}

/// A TLS certificate or key the receiver cannot use; the message names the file, never key material.
package struct ReceiverTLSError: Error, Sendable, CustomStringConvertible {
    package let description: String
}
