import Foundation
import Testing
import YotiAPI

@Suite("Session spec model")
struct SessionSpecTests {
    static let fixtures = ["specs/ibv-session.json", "specs/yoti-sign-configuration.json"]

    /// The IDV spec inside a fixture (the Yoti Sign body wraps it in `session_config`).
    static func spec(_ fixture: String) throws -> JSONValue {
        let json = try TestFixtures.json(fixture)
        return json["session_config"] ?? json
    }

    @Test("both specification payloads round-trip through SessionSpec unchanged", arguments: fixtures)
    func roundTrip(fixture: String) throws {
        let original = try Self.spec(fixture)
        let decoded = try JSONDecoder().decode(SessionSpec.self, from: Data(original.jsonBytes()))
        let reencoded = try JSONValue(jsonBytes: Array(JSONEncoder().encode(decoded)))
        #expect(reencoded == original)
        #expect(decoded.jsonBytes() == original.jsonBytes())
    }

    @Test("both specification payloads validate cleanly", arguments: fixtures)
    func fixturesValidate(fixture: String) throws {
        let problems = SessionSpecValidator.validate(try Self.spec(fixture))
        #expect(problems.isEmpty, "\(problems)")
    }

    @Test("the IBV payload reads through the typed accessors")
    func ibvTyped() throws {
        let spec = SessionSpec(json: try Self.spec("specs/ibv-session.json"))
        #expect(spec.clientSessionTokenTTL == 1_209_600)
        #expect(spec.resourcesTTL == 1_296_000)
        #expect(spec.ibvOptions?.support == "MANDATORY")
        #expect(spec.ibvOptions?.userPrice?.currency == "GBP")
        #expect(spec.notifications?.authType == "BEARER")
        #expect(spec.notifications?.topics?.contains("INSTRUCTIONS_EMAIL_REQUESTED") == true)
        let advanced = try #require(spec.requestedChecks?.first { $0.type == "WATCHLIST_ADVANCED_CA" })
        #expect(advanced.config?.type == "WITH_YOTI_ACCOUNT")
        #expect(advanced.config?.sources?.type == "TYPE_LIST")
        #expect(advanced.config?.sources?.types == ["pep", "sanction", "adverse-media-financial-crime"])
        #expect(advanced.config?.matchingStrategy?.type == "FUZZY")
        #expect(advanced.config?.matchingStrategy?.fuzziness == 0.6)
        let supplementary = try #require(spec.requiredDocuments?.first { $0.type == "SUPPLEMENTARY_DOCUMENT" })
        #expect(supplementary.objective?.type == "PROOF_OF_ADDRESS")
        #expect(supplementary.countryCodes == ["GBR"])
        let orthogonal = try #require(spec.requiredDocuments?.first { $0.filter?.type == "ORTHOGONAL_RESTRICTIONS" })
        #expect(orthogonal.filter?.countryRestriction?.countryCodes == ["GBR", "IRL"])
        #expect(spec.sdkConfig?.attemptsConfiguration?["ID_DOCUMENT_TEXT_DATA_EXTRACTION"]?["GENERIC"] == 3)
        #expect(spec.sdkConfig?.darkMode == "AUTO")
        #expect(spec.resources?.applicantProfile?.dateOfBirth == "1990-12-10")
        #expect(spec.resources?.applicantProfile?.structuredPostalAddress?["country_iso"] == "GBR")
        #expect(spec.requestedTasks?.first?.config?.chipData == "DESIRED")
    }

    @Test("the Yoti Sign payload reads through the typed accessors")
    func yotiSignTyped() throws {
        let spec = SessionSpec(json: try Self.spec("specs/yoti-sign-configuration.json"))
        let liveness = try #require(spec.requestedChecks?.first { $0.type == "LIVENESS" })
        #expect(liveness.config?.livenessType == "ZOOM")
        #expect(liveness.config?.maxRetries == 3)
        let watchlist = try #require(spec.requestedChecks?.first { $0.type == "WATCHLIST_SCREENING" })
        #expect(watchlist.config?.categories == ["SANCTIONS", "ADVERSE-MEDIA"])
    }

    /// Adds an unknown member at several depths of the IBV fixture.
    static func withUnknownFields() throws -> JSONValue {
        let patch = try JSONValue(
            jsonString: """
                {
                  "x_top_level": {"nested": [1, 2.5, "three", null, {"deep": true}]},
                  "notifications": {"x_retry_policy": "EXPONENTIAL"},
                  "ibv_options": {"required": true},
                  "sdk_config": {"hide_logo": false, "attempts_configuration": {"x_future_category": {"GENERIC": 1}}},
                  "resources": {"applicant_profile": {"structured_postal_address": {"x_uprn": "100023336956"}}}
                }
                """)
        var spec = JSONMergePatch.apply(patch, to: try spec("specs/ibv-session.json"))
        // Arrays are replaced wholesale by merge patches, so edit elements directly.
        guard case .object(var top) = spec, case .array(var checks)? = top["requested_checks"],
            case .object(var check)? = checks.last, case .object(var config)? = check["config"],
            case .object(var sources)? = config["sources"]
        else { throw CocoaError(.coderInvalidValue) }
        sources["x_list_version"] = 7
        config["sources"] = .object(sources)
        config["x_new_option"] = ["a", "b"]
        check["config"] = .object(config)
        check["x_check_label"] = "advanced"
        checks[checks.count - 1] = .object(check)
        checks.append(["type": "ID_DOCUMENT_COMPARISON", "x_weight": 0.5])
        top["requested_checks"] = .array(checks)
        spec = .object(top)
        return spec
    }

    @Test("unknown fields at several depths survive decode, typed edits and encode")
    func unknownFieldsSurviveEdits() throws {
        let original = try Self.withUnknownFields()
        var spec = try JSONDecoder().decode(SessionSpec.self, from: Data(original.jsonBytes()))
        // Edit through the typed accessors around the unknown members.
        spec.userTrackingID = "emp-000418"
        spec.notifications?.endpoint = "https://hooks.example.com/yoti"
        spec.requestedChecks?[5].config?.matchingStrategy?.fuzziness = 0.8
        spec.resources?.applicantProfile?.fullName = "Ada Lovelace"
        let encoded = try JSONValue(jsonBytes: Array(JSONEncoder().encode(spec)))

        #expect(encoded["x_top_level"] == original["x_top_level"])
        #expect(encoded["notifications"]?["x_retry_policy"] == "EXPONENTIAL")
        #expect(encoded["notifications"]?["auth_token"] == original["notifications"]?["auth_token"])
        #expect(encoded["ibv_options"]?["required"] == true)
        #expect(encoded["sdk_config"]?["hide_logo"] == false)
        #expect(encoded["sdk_config"]?["attempts_configuration"]?["x_future_category"]?["GENERIC"] == 1)
        #expect(encoded["resources"]?["applicant_profile"]?["structured_postal_address"]?["x_uprn"] == "100023336956")
        let advanced = try #require(encoded["requested_checks"]?[5])
        #expect(advanced["x_check_label"] == "advanced")
        #expect(advanced["config"]?["x_new_option"] == ["a", "b"])
        #expect(advanced["config"]?["sources"]?["x_list_version"] == 7)
        #expect(encoded["requested_checks"]?[6]?["x_weight"] == 0.5)
        // The edits landed.
        #expect(encoded["user_tracking_id"] == "emp-000418")
        #expect(encoded["notifications"]?["endpoint"] == "https://hooks.example.com/yoti")
        #expect(advanced["config"]?["matching_strategy"]?["fuzziness"] == 0.8)
        #expect(encoded["resources"]?["applicant_profile"]?["full_name"] == "Ada Lovelace")
        // Nothing else changed.
        let revert = try JSONValue(
            jsonString: """
                {"user_tracking_id": "onboarding-2026-11-21/emp-000417",
                 "notifications": {"endpoint": "https://onboarding.example.com/yoti/notifications"},
                 "resources": {"applicant_profile": {"full_name": "Ada Mary Lovelace"}}}
                """)
        var reverted = JSONMergePatch.apply(revert, to: encoded)
        var typed = SessionSpec(json: reverted)
        typed.requestedChecks?[5].config?.matchingStrategy?.fuzziness = 0.6
        reverted = typed.json
        #expect(reverted == original)
        // Unknown fields are not validation problems.
        #expect(SessionSpecValidator.validate(original).isEmpty)
    }

    @Test("integers also read from digit strings, as in Yoti's own IBV example")
    func lenientIntegers() throws {
        let spec = SessionSpec(json: ["resources_ttl": "1209600", "client_session_token_ttl": 600.0])
        #expect(spec.resourcesTTL == 1_209_600)
        #expect(spec.clientSessionTokenTTL == 600)
        #expect(SessionSpecValidator.validate(spec.json).isEmpty)
    }

    @Test("setting nil removes a member; building from scratch gives the expected JSON")
    func building() throws {
        var spec = SessionSpec()
        spec.clientSessionTokenTTL = 600
        spec.resourcesTTL = 90_000
        spec.requestedChecks = [.init(type: "LIVENESS")]
        spec.requestedChecks?[0].config?.livenessType = "STATIC"
        spec.sdkConfig = SessionSpec.SDKConfig()
        spec.sdkConfig?.primaryColour = "#2d9fff"
        spec.sdkConfig = nil
        #expect(
            spec.json == [
                "client_session_token_ttl": 600, "resources_ttl": 90000,
                "requested_checks": [["type": "LIVENESS", "config": ["liveness_type": "STATIC"]]],
            ])
        #expect(spec.validate().isEmpty)
    }
}
