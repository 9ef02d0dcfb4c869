import Foundation
import IDVCommands
import YotiSandbox

/// The demo's synthetic applicants: a JSON Lines file as an upstream export would produce it.
///
/// Roughly one applicant in four goes to a branch (In-Branch Verification, with the applicant profile the
/// branch checks the documents against); the others verify online with the standard configuration. Two
/// deliberately broken lines show how `enqueue` reports bad input without losing the rest.
struct DemoApplicants {
    static let standardConfig = "standard-doc-liveness"
    static let inBranchConfig = "in-branch"
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

    /// Writes the file; returns how many of its lines are valid applicants.
    func write(to path: String) throws -> Int {
        var generator = SplitMix64(seed: seed)
        var text = ""
        text.reserveCapacity(count * 220)
        var valid = 0
        for index in 1...max(1, count) {
            let ref = String(format: "crm-%06d", index)
            if index % 4 == 0 {
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
                text += try Self.line([
                    "external_ref": ref, "config_name": Self.inBranchConfig,
                    "session_spec": ["resources": ["applicant_profile": profile]], "ibv_instructions": instructions,
                ])
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
        guard
            FileManager.default.createFile(
                atPath: path, contents: Data(text.utf8), attributes: [.posixPermissions: 0o600])
        else {
            throw CommandFailure(exitCode: 2, message: "Could not write the demo's applicants file at \(path).")
        }
        return valid
    }

    private static func line(_ object: [String: Any]) throws -> String {
        let data = try JSONSerialization.data(withJSONObject: object, options: [.sortedKeys, .withoutEscapingSlashes])
        return String(decoding: data, as: UTF8.self) + "\n"
    }
}

/// A value in `0..<bound` (the tiny modulo bias does not matter for made-up names).
private func pick(_ generator: inout SplitMix64, _ bound: Int) -> Int { Int(generator.next() % UInt64(bound)) }
