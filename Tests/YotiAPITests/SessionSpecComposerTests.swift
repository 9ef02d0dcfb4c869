import Testing
import YotiAPI

@Suite("Session spec composition")
struct SessionSpecComposerTests {
    static func configuration() throws -> JSONValue {
        try TestFixtures.json("specs/yoti-sign-configuration.json")["session_config"] ?? .null
    }

    @Test("a named configuration plus a row patch, with user_tracking_id from external_ref")
    func configPlusPatch() throws {
        let patch = try JSONValue(
            jsonString: """
                {"resources": {"applicant_profile": {"full_name": "Grace Hopper", "date_of_birth": "1906-12-09"}},
                 "client_session_token_ttl": 3600, "block_biometric_consent": null}
                """)
        let spec = try SessionSpecComposer.compose(
            configuration: try Self.configuration(), configurationName: "onboarding-standard-v3", rowSpec: patch,
            externalRef: "emp-42")
        #expect(spec["user_tracking_id"] == "emp-42")
        #expect(spec["client_session_token_ttl"] == 3600)
        #expect(spec["block_biometric_consent"] == nil)
        #expect(spec["resources"]?["applicant_profile"]?["full_name"] == "Grace Hopper")
        #expect(spec["requested_checks"] == (try Self.configuration())["requested_checks"])
        #expect(SessionSpecValidator.validate(spec).isEmpty)
    }

    @Test("a user_tracking_id set by the configuration or the row wins over external_ref")
    func explicitTrackingID() throws {
        var base = try Self.configuration()
        base = JSONMergePatch.apply(["user_tracking_id": "from-config"], to: base)
        let fromConfig = try SessionSpecComposer.compose(configuration: base, rowSpec: nil, externalRef: "emp-1")
        #expect(fromConfig["user_tracking_id"] == "from-config")
        let fromRow = try SessionSpecComposer.compose(
            configuration: base, rowSpec: ["user_tracking_id": "from-row"], externalRef: "emp-1")
        #expect(fromRow["user_tracking_id"] == "from-row")
        let deleted = try SessionSpecComposer.compose(
            configuration: base, rowSpec: ["user_tracking_id": nil], externalRef: "emp-1")
        #expect(deleted["user_tracking_id"] == "emp-1")
    }

    @Test("a full per-row spec without a configuration is used as is")
    func fullRowSpec() throws {
        let full = try Self.configuration()
        let spec = try SessionSpecComposer.compose(configuration: nil, rowSpec: full, externalRef: "emp-7")
        #expect(spec == JSONMergePatch.apply(["user_tracking_id": "emp-7"], to: full))
    }

    @Test("neither a configuration nor a spec is a clear error", arguments: [JSONValue?.none, .some(.null)])
    func nothingToSend(rowSpec: JSONValue?) throws {
        let error = try #require(throws: SessionSpecCompositionError.self) {
            try SessionSpecComposer.compose(configuration: nil, rowSpec: rowSpec, externalRef: "emp-9")
        }
        #expect(error.code == .nothingToSend)
        #expect(error.message.contains("emp-9") && error.message.contains("config_name"))
    }

    @Test("a patch that is not an object replaces the spec and is refused")
    func nonObject() throws {
        let error = try #require(throws: SessionSpecCompositionError.self) {
            try SessionSpecComposer.compose(
                configuration: try Self.configuration(), configurationName: "std", rowSpec: ["oops"],
                externalRef: "emp-3")
        }
        #expect(error.code == .notAnObject)
        #expect(error.message.contains("std"))
    }
}
