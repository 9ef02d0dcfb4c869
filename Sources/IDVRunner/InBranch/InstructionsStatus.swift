/// Where a created In-Branch row is in the follow-through: `verification_requests.instructions_status`
/// (`pending → configured → sent → letter_saved | emailed`, or `failed`; `not_needed` for other sessions).
/// In the schema's order (status tables list them so).
package enum InstructionsStatus: String, Sendable, Hashable, CaseIterable, CustomStringConvertible {
    /// Created; its configuration (the requirement ids) not fetched yet.
    case pending
    /// Requirements stored; the instructions not sent yet.
    case configured
    /// Instructions sent (`PUT`); the letter not delivered yet.
    case sent
    /// The letter saved to the letters directory (`--letters DIR`).
    case letterSaved = "letter_saved"
    /// Yoti asked to email the letter (`--letters email`).
    case emailed
    /// Given up: a permanent error, or the maximum attempts reached.
    case failed
    /// The session asks for no In-Branch Verification: nothing to follow through.
    case notNeeded = "not_needed"

    /// The database string.
    package var description: String { rawValue }
}
