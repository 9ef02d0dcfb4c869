import Crypto
import Foundation
import TestSupport
import Testing
import YotiAPI
import _CryptoExtras

/// Prints what one signature and one verification cost, for comparison with `openssl speed rsa2048`.
///
/// No timing assertions: the numbers depend on the machine and its load. Set
/// `IDV_SIGNATURE_COST_ITERATIONS` for a longer run, and build in release for numbers worth quoting:
/// `swift test -c release -Xswiftc -enable-testing --filter SignatureCostTests`.
@Suite("Signature cost")
struct SignatureCostTests {
    static var iterations: Int {
        ProcessInfo.processInfo.environment["IDV_SIGNATURE_COST_ITERATIONS"].flatMap(Int.init) ?? 300
    }

    /// Times `body` on this thread: mean processor and elapsed time per call.
    static func measure(_ iterations: Int, _ body: () throws -> Void) rethrows -> SignatureCost {
        func threadCPU() -> Duration {
            var now = timespec()
            clock_gettime(CLOCK_THREAD_CPUTIME_ID, &now)
            return .seconds(Int64(now.tv_sec)) + .nanoseconds(Int64(now.tv_nsec))
        }
        let clock = ContinuousClock()
        let start = clock.now
        let startCPU = threadCPU()
        for _ in 0..<iterations { try body() }
        return SignatureCost(
            iterations: iterations, cpu: (threadCPU() - startCPU) / iterations,
            wallClock: (clock.now - start) / iterations)
    }

    @Test("prints the per-signature cost (libcrypto and swift-crypto) and the per-verification cost")
    func printCost() throws {
        let iterations = Self.iterations
        let pem = try String(contentsOfFile: SharedPaths.sdkTestKeyPath, encoding: .utf8)
        let key = try YotiPrivateKey(pemRepresentation: pem)
        let signer = RequestSigner(sdkID: "c8e0a2b4-94de-4ad5-b8fc-3b5f4fbe8cf1", key: key)
        let ours = try signer.measureSignatureCost(iterations: iterations)
        #expect(ours.cpu > .zero && ours.wallClock > .zero)

        // The RSA operation alone, over a message of the same size, in both libraries.
        let text = String(repeating: "m", count: 1_000)
        let message = Array(text.utf8)
        let digestOnly = try Self.measure(iterations) { _ = try key.digest(of: text) }
        let boringKey = try _RSA.Signing.PrivateKey(pemRepresentation: pem)
        let boring = try Self.measure(iterations) {
            _ = try boringKey.signature(for: SHA256.hash(data: message), padding: .insecurePKCS1v1_5)
        }

        // Verification (swift-crypto): what the sandbox pays per request.
        let digest = try key.digest(of: text)
        let verifier = YotiPublicKey(privateKey: key)
        let verify = Self.measure(iterations * 10) { _ = verifier.isValidDigest(digest, for: text) }

        print(
            """
            RSA-2048 PKCS#1 v1.5 SHA-256, mean per operation (CPU = this thread's processor time):
              RequestSigner.sign, system libcrypto:  \(ours)
              YotiPrivateKey.digest, libcrypto:      \(digestOnly)
              swift-crypto (BoringSSL) signature:    \(boring)
              YotiPublicKey.isValidDigest (sandbox): \(verify)
            """)
    }
}
