import YotiClient

/// Deletes a session at Yoti: what the expiry sweep's `--delete-remote` needs (``IDVClient`` does it;
/// tests can count calls).
package protocol SessionDeleting: Sendable {
    /// `DELETE /sessions/{id}`.
    /// - Throws: ``YotiAPIError`` (404 and 409 are `permanent` with their status), `CancellationError`.
    func deleteSession(id: String) async throws
}

extension IDVClient: SessionDeleting {}
