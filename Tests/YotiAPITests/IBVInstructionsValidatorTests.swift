import Testing

@testable import YotiAPI

/// Local checks of In-Branch instruction data: each problem at its JSON path, never quoting personal data.
@Suite("IBV instructions validator")
struct IBVInstructionsValidatorTests {
    static let valid: JSONValue = [
        "contact_profile": ["first_name": "Ada", "last_name": "Lovelace", "email": "ada@example.com"],
        "documents": [["type": "ID_DOCUMENT", "document_type": "PASSPORT", "country_code": "GBR"]],
        "branch": ["type": "UK_POST_OFFICE", "fad_code": "1234567"],
    ]

    @Test("valid instructions have no problems")
    func valid() {
        #expect(IBVInstructionsValidator.problems(in: Self.valid).isEmpty)
    }

    @Test(
        "each defect is reported at its path",
        arguments: [
            (["contact_profile": .null] as JSONValue, "contact_profile"),
            (["contact_profile": ["first_name": " "]], "contact_profile.first_name"),
            (["contact_profile": ["last_name": .null]], "contact_profile.last_name"),
            (["contact_profile": ["email": "ada@@example"]], "contact_profile.email"),
            (["contact_profile": ["email": "ada @example.com"]], "contact_profile.email"),
            (["documents": [["document_type": "LIBRARY_CARD"]]], "documents[0].document_type"),
            (["documents": [["type": "SELFIE", "document_type": "PASSPORT"]]], "documents[0].type"),
            (["documents": [["document_type": "PASSPORT", "country_code": "gb"]]], "documents[0].country_code"),
            (["branch": ["type": "MOON_BASE"]], "branch.type"),
            (["branch": "post office"], "branch"),
            (["postcode": "AB1"], "postcode"),
        ] as [(JSONValue, String)])
    func defects(patch: JSONValue, path: String) {
        let problems = IBVInstructionsValidator.problems(in: JSONMergePatch.apply(patch, to: Self.valid))
        #expect(problems.map(\.path) == [path])
        #expect(!problems.contains { $0.message.contains("ada") || $0.message.contains("Ada") })
    }

    @Test("defaults held beside a configuration need no contact profile")
    func defaultsWithoutContact() {
        let defaults: JSONValue = ["branch": ["type": "UK_POST_OFFICE"]]
        #expect(IBVInstructionsValidator.problems(in: defaults, requireContact: false).isEmpty)
        #expect(IBVInstructionsValidator.problems(in: defaults).map(\.path) == ["contact_profile"])
    }
}
