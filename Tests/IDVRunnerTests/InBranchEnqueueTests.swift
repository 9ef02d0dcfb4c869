import Foundation
import PostgresClient
import TestSupport
import Testing
import YotiAPI

@testable import IDVRunner

/// `enqueue` of In-Branch instruction data: CSV columns and the JSON Lines key into `ibv_instructions`.
@Suite("In-Branch enqueue (PostgreSQL)")
struct InBranchEnqueueTests {
    static func instructions(_ database: MigratedDatabase, batch: String) async throws -> [String: JSONValue] {
        var result: [String: JSONValue] = [:]
        for row in try await database.pool.query(
            "SELECT external_ref, ibv_instructions::text AS i FROM idv.verification_requests WHERE batch_id = $1",
            [.text(batch)])
        {
            if let text = try row.decode(String?.self, "i") {
                result[try row.decode(String.self, "external_ref")] = try JSONValue(jsonString: text)
            }
        }
        return result
    }

    @Test("CSV email/first_name/last_name/document columns fill ibv_instructions; bad rows are refused with their line")
    func csvColumns() async throws {
        try await MigratedDatabase.with { database in
            try await database.addConfiguration("standard")
            let csv = """
                external_ref,first_name,last_name,email,document_type,document_country,branch_type
                a-1,Ada,Lovelace,ada@example.com,PASSPORT,GBR,UK_POST_OFFICE
                a-2,Alan,Turing,not-an-email,PASSPORT,GBR,
                a-3,,Hopper,grace@example.com,PASSPORT,GBR,
                a-4,Edsger,Dijkstra,ed@example.com,LIBRARY_CARD,NLD,
                a-5,Plain,Row,plain@example.com,,,

                """
            let report = try await database.enqueue(csv, batch: "ibv", format: .csv, config: "standard")
            #expect(report.inserted == 2)
            let reasons = Dictionary(uniqueKeysWithValues: report.rejections.map { ($0.line, $0.reason) })
            #expect(reasons.keys.sorted() == [3, 4, 5])
            #expect(reasons[3]?.contains("contact_profile.email") == true)
            #expect(reasons[3]?.contains("not-an-email") == false)
            #expect(reasons[4]?.contains("contact_profile.first_name") == true)
            #expect(reasons[5]?.contains("documents[0].document_type") == true)
            let stored = try await Self.instructions(database, batch: "ibv")
            #expect(stored["a-1"]?["contact_profile"]?["email"] == "ada@example.com")
            #expect(stored["a-1"]?["documents"]?[0]?["document_type"] == "PASSPORT")
            #expect(stored["a-1"]?["documents"]?[0]?["type"] == "ID_DOCUMENT")
            #expect(stored["a-1"]?["branch"]?["type"] == "UK_POST_OFFICE")
            #expect(stored["a-5"]?["documents"] == nil)
        }
    }

    @Test("a JSON Lines ibv_instructions object is stored; a bad one is refused with its line")
    func jsonLines() async throws {
        try await MigratedDatabase.with { database in
            try await database.addConfiguration("standard")
            let lines = [
                #"{"external_ref": "j-1", "ibv_instructions": {"contact_profile": {"first_name": "Ada", "last_name": "L", "email": "a@example.com"}}}"#,
                #"{"external_ref": "j-2", "ibv_instructions": {"contact_profile": {"first_name": "Ada", "last_name": "L", "email": "a@example.com"}, "branch": {"type": "MOON_BASE"}}}"#,
                #"{"external_ref": "j-3", "ibv_instructions": "yes"}"#,
            ].joined(separator: "\n")
            let report = try await database.enqueue(lines, batch: "ibvj", config: "standard")
            #expect(report.inserted == 1)
            let reasons = Dictionary(uniqueKeysWithValues: report.rejections.map { ($0.line, $0.reason) })
            #expect(reasons[2]?.contains("branch.type") == true)
            #expect(reasons[3]?.contains("ibv_instructions") == true)
            #expect(
                try await Self.instructions(database, batch: "ibvj")["j-1"]?["contact_profile"]?["first_name"] == "Ada")
        }
    }

    @Test("documents and letter route checked at enqueue: filled from the one allowed, refused when several or revoked")
    func documentsAndLetterRoute() async throws {
        try await MigratedDatabase.with { database in
            let several = InBranchFollowThroughTests.ibvSpec
            let onePassport = InBranchFollowThroughTests.onePassportSpec
            try await database.addConfiguration("several", several)
            try await database.addConfiguration("one", onePassport)
            try await database.addConfiguration("defaulted", several)
            _ = try await database.pool.query(
                "UPDATE idv.session_configs SET ibv_defaults = $1::jsonb WHERE name = 'defaulted'",
                [
                    .jsonb(
                        #"{"documents": [{"type": "ID_DOCUMENT", "document_type": "PASSPORT", "country_code": "GBR"}]}"#
                    )
                ])
            try await database.addConfiguration(
                "subscribed", InBranchFollowThroughTests.subscribedSpec(["INSTRUCTIONS_EMAIL_REQUESTED"]))
            let csv = """
                external_ref,config_name,first_name,last_name,email,document_type,document_country
                s-chosen,several,Ada,Lovelace,ada@example.com,DRIVING_LICENCE,GBR
                s-none,several,Alan,Turing,alan@example.com,,
                o-none,one,Grace,Hopper,grace@example.com,,
                d-none,defaulted,Edsger,Dijkstra,ed@example.com,,
                sub,subscribed,Barbara,Liskov,barbara@example.com,PASSPORT,GBR

                """
            let report = try await database.enqueue(csv, batch: "ibv-docs", format: .csv)
            #expect(report.inserted == 3)
            let reasons = Dictionary(uniqueKeysWithValues: report.rejections.map { ($0.line, $0.reason) })
            #expect(reasons.keys.sorted() == [3, 6])
            #expect(reasons[3]?.contains("requirement required_documents[0] (ID_DOCUMENT) has no document") == true)
            #expect(reasons[3]?.contains("document_type and document_country") == true)
            #expect(reasons[6]?.contains("INSTRUCTIONS_EMAIL_REQUESTED") == true)
            #expect(reasons[6]?.contains("--letters DIR") == true)
            // With the letters saved by the firm, the subscribed row loads.
            let saved = try await database.enqueue(csv, batch: "ibv-docs", format: .csv) {
                $0.letters = .save(directory: URL(fileURLWithPath: "/srv/letters"))
            }
            #expect(saved.inserted == 1 && saved.rejections.map(\.line) == [3])
        }
    }
}
