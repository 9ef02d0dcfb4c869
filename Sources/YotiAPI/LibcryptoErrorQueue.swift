import COpenSSL

/// The calling thread's OpenSSL error queue.
///
/// libcrypto reports failures by pushing onto a per-thread queue. libpq shares that library and
/// reads the queue after its own TLS calls, so every failure path here empties it: a stale entry
/// would otherwise surface later as a confusing connection error on the same thread.
enum LibcryptoErrorQueue {
    /// The reason text of the oldest queued error (for example `bad signature`), after emptying the
    /// queue. OpenSSL's reason strings name the failure, never key material.
    static func drain() -> String {
        let first = ERR_get_error()
        ERR_clear_error()
        guard first != 0 else { return "no reason given" }
        guard let reason = ERR_reason_error_string(first) else { return "error code \(first)" }
        return String(cString: reason)
    }

    /// Empties the queue when the outcome is already known (a key libcrypto would not take).
    static func clear() {
        ERR_clear_error()
    }
}
