import Foundation

/// The offset between PostgreSQL's clock and ours, from the least-delayed round trip seen.
///
/// Rate-limit slots are instants on the server's clock shared by all workers. Mapping each
/// reservation with its own round trip would shift it by that trip's delay and could let the slots
/// of consecutive reservations overlap; one offset, taken from the tightest sample (NTP's idea),
/// keeps every mapped slot in the same order and spacing as on the server.
struct ServerClockOffset: Sendable {
    /// Server time minus local time, in seconds.
    private(set) var offset: TimeInterval = 0
    /// Round trip of the sample the offset came from (its uncertainty is half of it).
    private(set) var roundTrip: TimeInterval = .infinity

    /// Records a sample: the server read its clock somewhere between `sentAt` and `receivedAt`.
    mutating func observe(serverEpoch: TimeInterval, sentAt: Date, receivedAt: Date) {
        let trip = max(0, receivedAt.timeIntervalSince(sentAt))
        guard trip < roundTrip else { return }
        roundTrip = trip
        let midpoint = sentAt.timeIntervalSince1970 + trip / 2
        offset = serverEpoch - midpoint
    }

    /// The local instant matching a server instant.
    func localDate(serverEpoch: TimeInterval) -> Date {
        Date(timeIntervalSince1970: serverEpoch - offset)
    }
}
