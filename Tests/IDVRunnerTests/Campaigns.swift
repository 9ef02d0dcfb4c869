import Testing

extension RunnerProcessTests {
    /// The heavy reliability campaigns — crashes, database restarts, API faults, signals,
    /// concurrent workers — one nested suite each (`Campaign*.swift`). The bad-input corpus and the
    /// secrets campaign are suites of their own (light, one process at a time).
    ///
    /// Serialized, and nested in the serialized process tests: each campaign starts worker processes and
    /// loads the machine on purpose; side by side with each other or with `RunnerProcessTests` (whose
    /// shared-rate test measures the sandbox's busiest second) they would starve or disturb one another
    /// into failures that test nothing. `IDV_CAMPAIGN_LONG=1` selects the full sizes (``CampaignMode``).
    @Suite("Reliability campaigns", .serialized)
    struct Campaigns {}
}

/// The campaigns' parent suite, for `extension Campaigns { @Suite struct … }` in each campaign's file.
typealias Campaigns = RunnerProcessTests.Campaigns
