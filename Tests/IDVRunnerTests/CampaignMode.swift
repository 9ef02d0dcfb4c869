import Foundation
import TestSupport
import YotiSandbox

/// Sizes and seeds of the reliability campaigns.
///
/// `swift test` runs every campaign scaled down (fast mode); `IDV_CAMPAIGN_LONG=1` runs the full sizes
/// (`jobs/campaigns/run-long.sh`). Each campaign draws its random moments from a seeded
/// generator and prints the seed; `IDV_CAMPAIGN_SEED=N` replays a campaign with the same draws.
enum CampaignMode {
    /// Whether the long (full-size) campaigns were asked for.
    static var isLong: Bool { ProcessInfo.processInfo.environment["IDV_CAMPAIGN_LONG"] == "1" }

    /// `fast` normally, `long` under `IDV_CAMPAIGN_LONG=1`.
    static func size<Value>(fast: Value, long: Value) -> Value { isLong ? long : fast }

    /// `--rate` for campaign workers in fast mode (none in long mode, which runs alone).
    ///
    /// The in-process sandbox verifies each request's RSA signature on this test process's cooperative
    /// pool — several milliseconds in a debug build — so an unpaced campaign (hundreds of calls a second)
    /// would starve the timing-sensitive suites `swift test` runs beside it.
    static var pace: [String] { isLong ? [] : ["--rate", "40"] }

    /// A seeded generator for `campaign`, announced on standard output so a failure can be replayed.
    static func generator(_ campaign: String) -> SplitMix64 {
        let seed =
            ProcessInfo.processInfo.environment["IDV_CAMPAIGN_SEED"].flatMap { UInt64($0) }
            ?? UInt64.random(in: 1...UInt64(UInt32.max))
        print("campaign \(campaign): seed \(seed) (replay with IDV_CAMPAIGN_SEED=\(seed))")
        return SplitMix64(seed: seed)
    }
}
