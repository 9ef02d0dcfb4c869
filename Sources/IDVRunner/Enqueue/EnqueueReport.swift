import Foundation

/// What one `enqueue` did: rows read, inserted, already there, rejected (with the first reasons).
package struct EnqueueReport: Sendable, Hashable {
    /// The batch the rows went to.
    package var batchID: String
    /// The input format that was read.
    package var format: EnqueueFormat
    /// Rows read (JSON lines or CSV records, not counting blank lines or the CSV header).
    package var rowsRead: Int
    /// Rows inserted now.
    package var inserted: Int
    /// Valid rows whose (batch, external_ref) was already present (an earlier load, or earlier in this input).
    package var alreadyPresent: Int
    /// Rows rejected in all.
    package var rejectedCount: Int
    /// The first rejections (at most ``Enqueuer/Options/maxReportedRejections``), in input order.
    package var rejections: [EnqueueRejection]
    /// Wall-clock time of the load.
    package var duration: Duration
    /// Values unknown in an open vocabulary that rows were loaded with anyway, one line per field and value.
    package var specWarnings: [String] = []
    /// Rows whose `user_tracking_id` would look like an email address or a phone number (``TrackingIDWarnings``).
    package var trackingIDWarnings: [String] = []

    /// 0 when every row loaded or was already present, 1 when any row was rejected.
    package var exitCode: Int32 { rejectedCount > 0 ? 1 : 0 }

    /// A few lines for the operator.
    package func render() -> String {
        var lines = [
            "Enqueued into batch \(batchID) (\(format)): \(rowsRead) rows read, \(inserted) inserted, "
                + "\(alreadyPresent) already present, \(rejectedCount) rejected "
                + String(format: "in %.1f s", duration.secondsDouble)
        ]
        if !specWarnings.isEmpty {
            lines.append("Unknown values in open vocabularies, loaded anyway (Yoti decides; --strict refuses them):")
            lines += specWarnings.map { "  \($0)" }
        }
        if !trackingIDWarnings.isEmpty {
            lines.append("Personal-looking user_tracking_id values (loaded anyway; Yoti asks for none):")
            lines += trackingIDWarnings.map { "  \($0)" }
        }
        if rejectedCount > 0 {
            lines.append("Rejected rows (fix them and load the file again; rows already loaded are skipped):")
            lines += rejections.map { "  \($0)" }
            let more = rejectedCount - rejections.count
            if more > 0 { lines.append("  ... and \(more) more rejected rows") }
        }
        return lines.joined(separator: "\n")
    }
}
