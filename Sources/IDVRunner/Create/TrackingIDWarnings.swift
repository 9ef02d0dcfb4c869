import Synchronization
import YotiAPI

/// Rows that would send Yoti a `user_tracking_id` shaped like an email address or a phone number, which
/// Yoti's API reference says the field must not hold: counted by where the value comes from and its shape,
/// with the first few row positions — never the values. `enqueue` and `run --dry-run` report them.
package final class TrackingIDWarnings: Sendable {
    /// Where a flagged value comes from.
    package enum Source: String, Sendable, Hashable, Comparable {
        /// The row's `external_ref`, sent as `user_tracking_id` when no spec sets one and no key is set.
        case externalRef = "external_ref"
        /// A `user_tracking_id` the row's spec or its configuration sets, sent as is.
        case explicit = "user_tracking_id"

        package static func < (lhs: Source, rhs: Source) -> Bool { lhs.rawValue < rhs.rawValue }
    }

    private struct Key: Hashable {
        var source: Source
        var shape: PersonalIdentifierShape
    }

    private struct Tally {
        var count = 0
        var positions: [Int64] = []
    }

    /// How many row positions each line lists.
    static let positionLimit = 5
    private let tallies = Mutex<[Key: Tally]>([:])
    /// What a position is (`line` for an input file, `row` for a database id).
    private let positionName: String

    /// - Parameter positionName: how a row's position reads in the report (`line`, `row`).
    package init(positionName: String) {
        self.positionName = positionName
    }

    /// Records the row at `position` if `value`, coming from `source`, looks personal.
    func check(_ value: String?, source: Source, position: Int64) {
        guard let value, let shape = PersonalIdentifierShape.of(value)
        else { return }
        tallies.withLock { tallies in
            let key = Key(source: source, shape: shape)
            tallies[key, default: Tally()].count += 1
            if tallies[key]!.positions.count < Self.positionLimit { tallies[key]!.positions.append(position) }
        }
    }

    /// One line per source and shape, with what to do.
    package var lines: [String] {
        let tallies = tallies.withLock { $0 }
        return tallies.keys.sorted { ($0.source, $0.shape.rawValue) < ($1.source, $1.shape.rawValue) }.map { key in
            let tally = tallies[key]!
            let positions = tally.positions.map(String.init).joined(separator: ", ")
            let more = tally.count > tally.positions.count ? ", …" : ""
            let rows = tally.count == 1 ? "1 row" : "\(tally.count) rows"
            let place = "\(rows) (\(positionName)\(tally.count == 1 ? "" : "s") \(positions)\(more))"
            switch key.source {
            case .externalRef:
                return "external_ref looks like \(key.shape.rawValue) in \(place): it is sent to Yoti as "
                    + "user_tracking_id, which must hold no personal data; give run a key "
                    + "(--tracking-id-key-file) to send a keyed pseudonym instead, or use a non-personal reference"
            case .explicit:
                return "user_tracking_id looks like \(key.shape.rawValue) in \(place): it is sent to Yoti as set, "
                    + "and must hold no personal data; remove it from the spec (the default is the external_ref, "
                    + "or its pseudonym with --tracking-id-key-file)"
            }
        }
    }
}
