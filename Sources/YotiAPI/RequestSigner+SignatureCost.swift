import Foundation

extension RequestSigner {
    /// What one ``sign(method:path:body:includeSDKID:)`` call costs: processor and elapsed time, timed on
    /// the calling thread over `iterations` signatures of a typical `POST /sessions` after a warm-up.
    ///
    /// For the benchmark and for comparing with `openssl speed rsa2048`, whose "sign" column is the same
    /// RSA operation without building the message (compare ``SignatureCost/cpu`` with its default output,
    /// ``SignatureCost/wallClock`` with `-elapsed`). It blocks the calling thread for roughly `iterations`
    /// signatures: call it off the cooperative pool, or with a small count.
    /// - Parameter iterations: signatures to time (at least 1; default 1,000, about a quarter of a second).
    /// - Throws: ``RequestSigningError`` if a signature fails.
    package func measureSignatureCost(iterations: Int = 1_000) throws -> SignatureCost {
        let iterations = max(1, iterations)
        let body = Array(Self.typicalSessionBody.utf8)
        for _ in 0..<min(iterations, 100) {  // caches, page faults, libcrypto's lazily built key state
            _ = try sign(method: "POST", path: "/sessions", body: body)
        }
        let clock = ContinuousClock()
        let start = clock.now
        let startCPU = SignatureCost.threadCPUTime()
        for _ in 0..<iterations {
            _ = try sign(method: "POST", path: "/sessions", body: body)
        }
        let cpu = SignatureCost.threadCPUTime() - startCPU
        let elapsed = clock.now - start
        return SignatureCost(iterations: iterations, cpu: cpu / iterations, wallClock: elapsed / iterations)
    }

    /// A session spec of the size the runner sends (about 700 bytes).
    private static let typicalSessionBody = """
        {"client_session_token_ttl":600,"resources_ttl":604800,"user_tracking_id":"row-000123456",\
        "notifications":{"endpoint":"https://example.com/yoti/notifications","topics":["SESSION_COMPLETION"]},\
        "requested_checks":[{"type":"ID_DOCUMENT_AUTHENTICITY","config":{}},\
        {"type":"LIVENESS","config":{"liveness_type":"STATIC","max_retries":3}},\
        {"type":"ID_DOCUMENT_FACE_MATCH","config":{"manual_check":"FALLBACK"}}],\
        "requested_tasks":[{"type":"ID_DOCUMENT_TEXT_DATA_EXTRACTION","config":{"manual_check":"FALLBACK","chip_data":"DESIRED"}}],\
        "required_documents":[{"type":"ID_DOCUMENT","filter":{"type":"ORTHOGONAL_RESTRICTIONS",\
        "country_restriction":{"inclusion":"WHITELIST","country_codes":["GBR","IRL"]},\
        "type_restriction":{"inclusion":"WHITELIST","document_types":["PASSPORT","DRIVING_LICENCE"]}}}],\
        "sdk_config":{"allowed_capture_methods":"CAMERA_AND_UPLOAD","primary_colour":"#2d9fff","locale":"en-GB",\
        "success_url":"https://example.com/yoti/success","error_url":"https://example.com/yoti/error"}}
        """
}
