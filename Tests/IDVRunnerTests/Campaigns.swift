import Testing

/// The heavy reliability campaigns of issue 8 — crashes, database restarts, API faults, signals,
/// concurrent workers — one nested suite each (`Campaign*.swift`). The bad-input corpus and the secrets
/// campaign are suites of their own (light, one process at a time).
///
/// Serialized: each campaign starts worker processes and loads the machine on purpose; run side by side
/// they would starve each other (and the rest of `swift test`) into timeouts that test nothing. They
/// still run beside the other suites. `IDV_CAMPAIGN_LONG=1` selects the full sizes (see ``CampaignMode``).
@Suite("Reliability campaigns (issue 8)", .serialized)
struct Campaigns {}
