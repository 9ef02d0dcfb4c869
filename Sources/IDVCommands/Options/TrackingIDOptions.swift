import ArgumentParser
import Foundation
import YotiAPI

/// The key of the keyed `user_tracking_id` pseudonym (``UserTrackingPseudonym``): `run` and `rerun`.
struct TrackingIDOptions: ParsableArguments {
    /// The environment variable that names the key file.
    static let environmentVariable = "IDV_TRACKING_ID_KEY_FILE"

    @Option(
        name: .customLong("tracking-id-key-file"),
        help: ArgumentHelp(
            "A secret key file (at least 32 bytes, chmod 600; make one with `openssl rand -hex 32`). When set, a row "
                + "whose spec sets no user_tracking_id sends Yoti idvp1-<HMAC-SHA256 of its external_ref> instead of "
                + "the external_ref itself: the same person gets the same id, and Yoti never sees the reference "
                + "(default: $\(environmentVariable); job file yoti.tracking_id_key_file).",
            valueName: "path"))
    var keyFile: String?

    /// The pseudonym from the flag, else the job file's or the environment's key file; `nil` when none is set.
    /// - Throws: ``CommandFailure`` (exit 2) for a missing, exposed, unreadable or short key file.
    func pseudonym(environment: [String: String]) throws -> UserTrackingPseudonym? {
        guard let path = YotiOptions.firstSet(keyFile, environment[Self.environmentVariable]) else { return nil }
        do {
            return try UserTrackingPseudonym(contentsOfFile: path)
        } catch {
            throw CommandFailure(exitCode: 2, message: "--tracking-id-key-file: \(error.message)")
        }
    }
}
