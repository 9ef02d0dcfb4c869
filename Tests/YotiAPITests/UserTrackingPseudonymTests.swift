import Foundation
import Testing
import YotiAPI

@Suite("user_tracking_id pseudonym and personal-looking identifiers")
struct UserTrackingPseudonymTests {
    static let key = Array("0123456789abcdef0123456789abcdef".utf8)

    @Test("the pseudonym is idvp1- and the first 128 bits of HMAC-SHA256(key, external_ref), as openssl computes it")
    func knownAnswer() throws {
        // printf '%s' 'emp-42@example.com' | openssl dgst -sha256 -hmac 0123456789abcdef0123456789abcdef | cut -c1-32
        let pseudonym = try UserTrackingPseudonym(key: Self.key)
        #expect(pseudonym.trackingID(for: "emp-42@example.com") == "idvp1-a68055d6d821c556506ec7ed5be0afac")
    }

    @Test("the same key and reference give the same id; another reference or key gives another")
    func stableAndKeyed() throws {
        let pseudonym = try UserTrackingPseudonym(key: Self.key)
        let other = try UserTrackingPseudonym(key: Array("fedcba9876543210fedcba9876543210".utf8))
        let id = pseudonym.trackingID(for: "ref-1")
        #expect(id == pseudonym.trackingID(for: "ref-1"))
        #expect(id != pseudonym.trackingID(for: "ref-2"))
        #expect(id != other.trackingID(for: "ref-1"))
        #expect(!id.contains("ref-1"))
        #expect(id.count == UserTrackingPseudonym.prefix.count + 32)
    }

    @Test("a key file: trailing new line ignored; too short, too open or missing refused naming the file, not the key")
    func keyFile() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("pseudonym-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        func write(_ name: String, _ text: String, mode: Int) throws -> String {
            let path = folder.appendingPathComponent(name).path
            try Data(text.utf8).write(to: URL(fileURLWithPath: path))
            try FileManager.default.setAttributes([.posixPermissions: mode], ofItemAtPath: path)
            return path
        }
        let good = try write("good.key", "0123456789abcdef0123456789abcdef\n", mode: 0o600)
        #expect(
            try UserTrackingPseudonym(contentsOfFile: good).trackingID(for: "emp-42@example.com")
                == "idvp1-a68055d6d821c556506ec7ed5be0afac")

        let short = try write("short.key", "tooshort-secret-value\n", mode: 0o600)
        let shortError = #expect(throws: UserTrackingPseudonymError.self) {
            try UserTrackingPseudonym(contentsOfFile: short)
        }
        #expect(shortError?.message.contains("21 bytes") == true)
        #expect(shortError?.message.contains("openssl rand -hex 32") == true)
        #expect(shortError?.message.contains("tooshort-secret-value") == false)

        let open = try write("open.key", "0123456789abcdef0123456789abcdef-open\n", mode: 0o644)
        let openError = #expect(throws: UserTrackingPseudonymError.self) {
            try UserTrackingPseudonym(contentsOfFile: open)
        }
        #expect(openError?.message.contains("chmod 600") == true)
        #expect(openError?.message.contains("0644") == true)
        #expect(openError?.message.contains("-open") == false)

        let missing = folder.appendingPathComponent("none.key").path
        let missingError = #expect(throws: UserTrackingPseudonymError.self) {
            try UserTrackingPseudonym(contentsOfFile: missing)
        }
        #expect(missingError?.message.contains(missing) == true)
    }

    @Test(
        "email addresses and phone numbers are recognised; customer numbers and ordinary references are not",
        arguments: [
            ("ada@example.com", PersonalIdentifierShape.emailAddress),
            ("  Ada.King+kyc@mail.example.co.uk ", .emailAddress),
            ("+44 7700 900123", .phoneNumber),
            ("+447700900123", .phoneNumber),
            ("07700 900123", .phoneNumber),
            ("07700900123", .phoneNumber),
            ("(020) 7946-0958", .phoneNumber),
            ("0044 20 7946 0958", .phoneNumber),
        ] as [(String, PersonalIdentifierShape)])
    func personal(value: String, shape: PersonalIdentifierShape) {
        #expect(PersonalIdentifierShape.of(value) == shape)
    }

    @Test(
        "values that are not flagged",
        arguments: [
            "emp-42", "row-000123456", "12345678", "123456789012", "000123456", "ada@localhost", "@example.com",
            "ada@@example.com", "a b@example.com", "ORD-2026-11-21", "2026-11-21", "1.5", "+44", "idvp1-a68055d6d821",
            "",
        ])
    func notPersonal(value: String) {
        #expect(PersonalIdentifierShape.of(value) == nil)
    }

    @Test("personal members of a spec are masked at any depth; the rest is kept")
    func redactingPersonalData() {
        let spec: JSONValue = [
            "user_tracking_id": "idvp1-00", "client_session_token_ttl": 900,
            "resources": ["applicant_profile": ["given_names": "Ada", "family_name": "King"]],
            "ibv": ["contact_profile": ["email": "ada@example.com"]],
            "other": ["full_name": "Ada King", "Date_Of_Birth": "1815-12-10", "postal_code": "N1 9GU", "type": "x"],
            "requested_checks": [["type": "ID_DOCUMENT_AUTHENTICITY"]],
        ]
        let masked = spec.redactingPersonalData()
        #expect(masked["resources"]?["applicant_profile"] == "<personal>")
        #expect(masked["ibv"]?["contact_profile"] == "<personal>")
        #expect(masked["other"]?["full_name"] == "<personal>")
        #expect(masked["other"]?["Date_Of_Birth"] == "<personal>")
        #expect(masked["other"]?["postal_code"] == "<personal>")
        #expect(masked["other"]?["type"] == "x")
        #expect(masked["user_tracking_id"] == "idvp1-00")
        #expect(masked["requested_checks"] == spec["requested_checks"])
        for canary in ["Ada", "King", "ada@example.com", "1815-12-10", "N1 9GU"] {
            #expect(!masked.jsonString().contains(canary))
        }
    }
}
