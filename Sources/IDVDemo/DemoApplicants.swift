import Foundation
import IDVCommands
import YotiSandbox

/// The demo's synthetic applicants: a JSON Lines file as an upstream export would produce it.
///
/// Roughly one applicant in four goes to a branch (In-Branch Verification, with the applicant profile the
/// branch checks the documents against); the others verify online with the standard configuration. Two
/// deliberately broken lines show how `enqueue` reports bad input without losing the rest. Yoti emails these
/// In-Branch applicants their letters. A second, smaller file holds In-Branch applicants of a configuration
/// that subscribes to `INSTRUCTIONS_EMAIL_REQUESTED` (``postedConfig``): the firm posts their letters itself,
/// so they go to a batch of their own, loaded and run with `--letters DIR`.
struct DemoApplicants {
    static let standardConfig = "standard-doc-liveness"
    static let inBranchConfig = "in-branch"
    /// The In-Branch configuration whose letters the firm delivers (Yoti's email revoked).
    static let postedConfig = "in-branch-posted"
    /// Lines of the file that `enqueue` must reject (and say why).
    static let brokenLines = 2

    let count: Int
    let seed: UInt64

    private static let givenNames = [
        "Ada", "Grace", "Alan", "Mary", "Tim", "Sophie", "Chidi", "Aiko", "Lena", "Omar", "Zoë", "Seán",
    ]
    private static let familyNames = [
        "Lovelace", "Hopper", "Turing", "Somerville", "Berners-Lee", "Wilson", "Okafor", "Tanaka", "O'Brien", "Haddad",
    ]
    private static let towns = [
        ("London", "SW1A 1AA"), ("Leeds", "LS1 4AP"), ("Glasgow", "G1 1XQ"), ("Cardiff", "CF10 1EP"),
        ("Belfast", "BT1 5GS"),
    ]

    /// How many applicants the posted file holds: one for every eight of the nightly file.
    var postedCount: Int { max(1, count / 8) }

    /// Writes the nightly file at `path` and the posted one at `postedPath`; returns how many lines of the
    /// nightly file are valid applicants (every line of the posted one is).
    func write(to path: String, posted postedPath: String) throws -> Int {
        var generator = SplitMix64(seed: seed)
        var text = ""
        text.reserveCapacity(count * 220)
        var valid = 0
        for index in 1...max(1, count) {
            let ref = String(format: "crm-%06d", index)
            if index % 4 == 0 {
                text += try inBranchLine(ref: ref, config: Self.inBranchConfig, index: index, &generator)
            } else {
                text += try Self.line(["external_ref": ref, "config_name": Self.standardConfig])
            }
            valid += 1
        }
        // What a real export sometimes contains: a truncated line and a spec Yoti would refuse.
        text += #"{"external_ref": "crm-broken-1", "config_name": "standard-doc-liveness""# + "\n"
        text +=
            #"{"external_ref": "crm-broken-2", "config_name": "standard-doc-liveness", "session_spec": {"client_session_token_ttl": 60}}"#
            + "\n"
        var posted = ""
        for index in 1...postedCount {
            posted += try inBranchLine(
                ref: String(format: "post-%06d", index), config: Self.postedConfig, index: count + index, &generator)
        }
        for (file, content) in [(path, text), (postedPath, posted)] {
            guard
                FileManager.default.createFile(
                    atPath: file, contents: Data(content.utf8), attributes: [.posixPermissions: 0o600])
            else {
                throw CommandFailure(exitCode: 2, message: "Could not write the demo's applicants file at \(file).")
            }
        }
        return valid
    }

    /// One In-Branch applicant's line: the applicant profile, and the instructions (contact, document to bring).
    private func inBranchLine(ref: String, config: String, index: Int, _ generator: inout SplitMix64) throws
        -> String
    {
        let given = Self.givenNames[pick(&generator, Self.givenNames.count)]
        let family = Self.familyNames[pick(&generator, Self.familyNames.count)]
        let (town, postcode) = Self.towns[pick(&generator, Self.towns.count)]
        let year = 1950 + pick(&generator, 55)
        let month = 1 + pick(&generator, 12)
        let day = 1 + pick(&generator, 28)
        let profile: [String: Any] = [
            "given_names": given, "family_name": family, "full_name": "\(given) \(family)",
            "date_of_birth": String(format: "%04d-%02d-%02d", year, month, day),
            "structured_postal_address": [
                "address_format": 1, "building_number": "\(1 + pick(&generator, 200))",
                "address_line1": "\(1 + pick(&generator, 200)) High Street", "town_city": town,
                "postal_code": postcode, "country_iso": "GBR", "country": "United Kingdom",
            ],
        ]
        // The letter names the applicant and the document to bring; the branch comes from Yoti's default.
        let instructions: [String: Any] = [
            "contact_profile": [
                "first_name": given, "last_name": family,
                "email": "\(given).\(family).\(index)@example.com".lowercased(),
            ],
            "documents": [["type": "ID_DOCUMENT", "document_type": "PASSPORT", "country_code": "GBR"]],
        ]
        return try Self.line([
            "external_ref": ref, "config_name": config,
            "session_spec": ["resources": ["applicant_profile": profile]], "ibv_instructions": instructions,
        ])
    }

    private static func line(_ object: [String: Any]) throws -> String {
        let data = try JSONSerialization.data(withJSONObject: object, options: [.sortedKeys, .withoutEscapingSlashes])
        return String(decoding: data, as: UTF8.self) + "\n"
    }
}

/// A value in `0..<bound` (the tiny modulo bias does not matter for made-up names).
private func pick(_ generator: inout SplitMix64, _ bound: Int) -> Int { Int(generator.next() % UInt64(bound)) }
