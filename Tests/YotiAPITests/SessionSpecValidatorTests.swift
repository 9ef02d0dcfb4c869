import Testing
import YotiAPI

@Suite("Session spec validation")
struct SessionSpecValidatorTests {
    /// A merge patch over the IBV fixture, and the problems expected (each a prefix of one
    /// problem's `path: message`, in order).
    struct Case: Sendable, CustomStringConvertible {
        var name: String
        var patch: String
        var expected: [String]
        var description: String { name }
    }

    static let oneOfManual = "is not one of ALWAYS, FALLBACK, NEVER, IBV"

    static let cases: [Case] = [
        Case(name: "the fixture itself", patch: "{}", expected: []),
        Case(
            name: "unknown manual_check, with the path of the third check",
            patch: """
                {"requested_checks": [{"type": "LIVENESS", "config": {"liveness_type": "ZOOM"}},
                  {"type": "ID_DOCUMENT_AUTHENTICITY", "config": {}},
                  {"type": "ID_DOCUMENT_FACE_MATCH", "config": {"manual_check": "SOMETIMES"}}]}
                """,
            expected: [
                #"requested_checks[2].config.manual_check: "SOMETIMES" is not one of ALWAYS, FALLBACK, NEVER, IBV"#
            ]),
        Case(
            name: "unknown check type",
            patch: #"{"requested_checks": [{"type": "FACE_MATCH_PLUS"}]}"#,
            expected: [#"requested_checks[0].type: "FACE_MATCH_PLUS" is not one of ID_DOCUMENT_AUTHENTICITY"#]),
        Case(
            name: "check without a type",
            patch: #"{"requested_checks": [{"config": {}}]}"#,
            expected: ["requested_checks[0].type: is required (one of ID_DOCUMENT_AUTHENTICITY"]),
        Case(
            name: "liveness type, negative retries and a watchlist category",
            patch: """
                {"requested_checks": [{"type": "LIVENESS", "config": {"liveness_type": "BLINK", "max_retries": -1}},
                  {"type": "WATCHLIST_SCREENING", "config": {"categories": ["SANCTIONS", "PEP"]}}]}
                """,
            expected: [
                #"requested_checks[0].config.liveness_type: "BLINK" is not one of ZOOM, STATIC"#,
                "requested_checks[0].config.max_retries: -1 is too small: must be zero or more",
                #"requested_checks[1].config.categories[1]: "PEP" is not one of ADVERSE-MEDIA, SANCTIONS"#,
            ]),
        Case(
            name: "advanced CA account type, sources, fuzziness",
            patch: """
                {"requested_checks": [{"type": "WATCHLIST_ADVANCED_CA", "config": {"type": "WITH_OTHER_ACCOUNT",
                  "sources": {"type": "EVERYTHING"}, "matching_strategy": {"type": "FUZZY", "fuzziness": 1.5}}}]}
                """,
            expected: [
                "requested_checks[0].config.matching_strategy.fuzziness: 1.5 is out of range: must be between 0 and 1",
                #"requested_checks[0].config.sources.type: "EVERYTHING" is not one of TYPE_LIST, PROFILE"#,
                #"requested_checks[0].config.type: "WITH_OTHER_ACCOUNT" is not one of WITH_YOTI_ACCOUNT, WITH_CUSTOM_ACCOUNT"#,
            ]),
        Case(
            name: "task manual_check and chip_data",
            patch:
                #"{"requested_tasks": [{"type": "ID_DOCUMENT_TEXT_DATA_EXTRACTION", "config": {"manual_check": "MAYBE", "chip_data": "MAYBE"}}]}"#,
            expected: [
                #"requested_tasks[0].config.chip_data: "MAYBE" is not one of DESIRED, IGNORE"#,
                #"requested_tasks[0].config.manual_check: "MAYBE" \#(oneOfManual)"#,
            ]),
        Case(
            name: "ttl of exactly 300", patch: #"{"client_session_token_ttl": 300}"#,
            expected: ["client_session_token_ttl: 300 is too small: must be more than 300 seconds"]),
        Case(
            name: "ttl of the wrong type", patch: #"{"client_session_token_ttl": "ten minutes"}"#,
            expected: ["client_session_token_ttl: expected an integer, found a string"]),
        Case(
            name: "ttl as a digit string is accepted",
            patch: #"{"client_session_token_ttl": "900", "resources_ttl": 90000}"#,
            expected: []),
        Case(
            name: "resources_ttl under 24 h", patch: #"{"resources_ttl": 3600}"#,
            expected: ["resources_ttl: 3600 is too small: must be at least 86400 seconds (24 h)"]),
        Case(
            name: "resources_ttl under ttl + 24 h", patch: #"{"resources_ttl": 1295999}"#,
            expected: [
                "resources_ttl: 1295999 is too short: must be at least client_session_token_ttl + 86400 = 1296000 seconds"
            ]),
        Case(
            name: "both ttl and session_deadline", patch: #"{"session_deadline": "2026-12-01T18:00:00Z"}"#,
            expected: ["session_deadline: send either client_session_token_ttl or session_deadline, not both"]),
        Case(
            name: "deadline instead of ttl, Yoti's six fractional digits",
            patch: #"{"client_session_token_ttl": null, "session_deadline": "2026-12-01T23:59:59.000000+00:00"}"#,
            expected: []),
        Case(
            name: "an explicit null ttl beside a deadline is not \"both\"",
            patch: #"{"client_session_token_ttl": null, "session_deadline": "2026-12-01T23:59:59Z"}"#,
            expected: []),
        Case(
            name: "deadline that is not RFC 3339",
            patch: #"{"client_session_token_ttl": null, "session_deadline": "2026-12-01 6pm"}"#,
            expected: [#"session_deadline: "2026-12-01 6pm" is not an RFC 3339 date-time"#]),
        Case(
            name: "deadline on a day that does not exist",
            patch: #"{"client_session_token_ttl": null, "session_deadline": "2026-02-29T10:00:00Z"}"#,
            expected: [#"session_deadline: "2026-02-29T10:00:00Z" is not an RFC 3339 date-time"#]),
        Case(
            name: "colours",
            patch:
                ##"{"sdk_config": {"primary_colour": "blue", "secondary_colour": "#FFF", "font_colour": "#12345g"}}"##,
            expected: [
                ##"sdk_config.font_colour: "#12345g" is not a colour in the form #rrggbb"##,
                ##"sdk_config.primary_colour: "blue" is not a colour in the form #rrggbb"##,
                ##"sdk_config.secondary_colour: "#FFF" is not a colour in the form #rrggbb"##,
            ]),
        Case(
            name: "country codes not alpha-3",
            patch: """
                {"sdk_config": {"preset_issuing_country": "gbr"},
                 "required_documents": [{"type": "ID_DOCUMENT", "filter": {"type": "DOCUMENT_RESTRICTIONS",
                   "inclusion": "WHITELIST", "documents": [{"country_codes": ["GB"], "document_types": ["PASSPORT"]}]}},
                   {"type": "SUPPLEMENTARY_DOCUMENT", "country_codes": ["UK1"], "objective": {"type": "PROOF_OF_ADDRESS"}}]}
                """,
            expected: [
                #"required_documents[0].filter.documents[0].country_codes[0]: "GB" is not an ISO 3166-1 alpha-3 country code"#,
                #"required_documents[1].country_codes[0]: "UK1" is not an ISO 3166-1 alpha-3 country code"#,
                #"sdk_config.preset_issuing_country: "gbr" is not an ISO 3166-1 alpha-3 country code"#,
            ]),
        Case(
            name: "filter type, inclusion and objective type",
            patch: """
                {"required_documents": [{"type": "ID_DOCUMENT", "filter": {"type": "COUNTRY_RESTRICTIONS"}},
                  {"type": "ID_DOCUMENT", "filter": {"type": "ORTHOGONAL_RESTRICTIONS",
                   "country_restriction": {"inclusion": "ALLOWLIST", "country_codes": ["GBR"]}}},
                  {"type": "SUPPLEMENTARY_DOCUMENT", "objective": {"type": "PROOF_OF_IDENTITY"}},
                  {"type": "PASSPORT"}]}
                """,
            expected: [
                #"required_documents[0].filter.type: "COUNTRY_RESTRICTIONS" is not one of ORTHOGONAL_RESTRICTIONS, DOCUMENT_RESTRICTIONS"#,
                #"required_documents[1].filter.country_restriction.inclusion: "ALLOWLIST" is not one of WHITELIST, BLACKLIST"#,
                #"required_documents[2].objective.type: "PROOF_OF_IDENTITY" is not one of PROOF_OF_ADDRESS, UK_DBS"#,
                #"required_documents[3].type: "PASSPORT" is not one of ID_DOCUMENT, SUPPLEMENTARY_DOCUMENT"#,
            ]),
        Case(
            name: "sdk_config enums",
            patch:
                #"{"sdk_config": {"allowed_capture_methods": "UPLOAD", "dark_mode": "DIM", "biometric_consent_flow": "LATE"}}"#,
            expected: [
                #"sdk_config.allowed_capture_methods: "UPLOAD" is not one of CAMERA, CAMERA_AND_UPLOAD"#,
                #"sdk_config.biometric_consent_flow: "LATE" is not one of EARLY, JUST_IN_TIME"#,
                #"sdk_config.dark_mode: "DIM" is not one of ON, OFF, AUTO"#,
            ]),
        Case(
            name: "attempts must be counts",
            patch:
                #"{"sdk_config": {"attempts_configuration": {"ID_DOCUMENT_TEXT_DATA_EXTRACTION": {"GENERIC": "three"}}}}"#,
            expected: [
                "sdk_config.attempts_configuration.ID_DOCUMENT_TEXT_DATA_EXTRACTION.GENERIC: expected an integer, found a string"
            ]),
        Case(
            name: "ibv support, price currency and guidance URL",
            patch:
                #"{"ibv_options": {"support": "OPTIONAL", "guidance_url": "branch-guide", "user_price": {"amount": "ten", "currency": "gbp"}}}"#,
            expected: [
                #"ibv_options.guidance_url: "branch-guide" is not an absolute http(s) URL"#,
                #"ibv_options.support: "OPTIONAL" is not one of MANDATORY, NOT_ALLOWED"#,
                "ibv_options.user_price.amount: expected an amount",
                #"ibv_options.user_price.currency: "gbp" is not an ISO 4217 currency code"#,
            ]),
        Case(
            name: "notification auth type, topics and endpoint; lower-case topics pass",
            patch:
                #"{"notifications": {"auth_type": "DIGEST", "topics": ["session_completion", "SESSION_COMPLETED"], "endpoint": "not a url"}}"#,
            expected: [
                #"notifications.auth_type: "DIGEST" is not one of BASIC, BEARER"#,
                #"notifications.endpoint: "not a url" is not an absolute http(s) URL"#,
                #"notifications.topics[1]: "SESSION_COMPLETED" is not one of RESOURCE_UPDATE"#,
            ]),
        Case(
            name: "applicant profile date and address country",
            patch:
                #"{"resources": {"applicant_profile": {"date_of_birth": "10/12/1990", "structured_postal_address": {"country_iso": "UK"}}}}"#,
            expected: [
                #"resources.applicant_profile.date_of_birth: "10/12/1990" is not a date in the form YYYY-MM-DD"#,
                #"resources.applicant_profile.structured_postal_address.country_iso: "UK" is not an ISO 3166-1 alpha-3"#,
            ]),
        Case(
            name: "wrong JSON types everywhere",
            patch: """
                {"block_biometric_consent": "yes", "sdk_config": [], "requested_tasks": {},
                 "notifications": {"topics": "SESSION_COMPLETION", "auth_token": 12345}, "user_tracking_id": 17}
                """,
            expected: [
                "block_biometric_consent: expected true or false, found a string",
                "notifications.auth_token: expected a string, found an integer",
                "notifications.topics: expected an array, found a string",
                "requested_tasks: expected an array, found an object",
                "sdk_config: expected an object, found an array",
                "user_tracking_id: expected a string, found an integer",
            ]),
        Case(
            name: "unknown fields at any depth are not problems",
            patch: """
                {"brand_new_feature": {"x": [1, 2]}, "sdk_config": {"hide_logo": true},
                 "ibv_options": {"required": true}, "resources": {"applicant_profile": {"x_nickname": "Ada"}}}
                """,
            expected: []),
        Case(
            name: "null counts as absent",
            patch: ##"{"sdk_config": {"primary_colour": null}, "notifications": {"topics": null}}"##,
            expected: []),
    ]

    /// Strict, so that unknown values in open vocabularies are listed with the certain problems.
    @Test("reports each problem with its JSON path (strict)", arguments: cases)
    func table(testCase: Case) throws {
        let base = try TestFixtures.json("specs/ibv-session.json")
        let spec = JSONMergePatch.apply(try JSONValue(jsonString: testCase.patch), to: base)
        let problems = SessionSpecValidator.validate(spec, strict: true).map(\.description)
        #expect(problems.count == testCase.expected.count, "\(problems)")
        for (problem, expected) in zip(problems, testCase.expected) {
            #expect(problem.hasPrefix(expected), "\(problem)")
        }
        // A secret's value is never quoted back.
        let token = try #require(base["notifications"]?["auth_token"]?.stringValue)
        #expect(!problems.joined().contains(token))
    }

    @Test("every problem is reported at once")
    func allAtOnce() throws {
        let spec = try JSONValue(
            jsonString: """
                {"client_session_token_ttl": 60, "resources_ttl": 60, "session_deadline": "soon",
                 "sdk_config": {"primary_colour": "red", "dark_mode": "DIM"},
                 "requested_checks": [{"type": "LIVENESS", "config": {"manual_check": "SOMETIMES"}}]}
                """)
        let problems = SessionSpecValidator.validate(spec, strict: true)
        #expect(
            problems.map(\.path) == [
                "client_session_token_ttl", "requested_checks[0].config.manual_check", "resources_ttl",
                "sdk_config.dark_mode", "sdk_config.primary_colour", "session_deadline", "session_deadline",
            ])
        // Without strict, the unknown manual_check is only a warning.
        #expect(!SessionSpecValidator.validate(spec).map(\.path).contains("requested_checks[0].config.manual_check"))
        #expect(SessionSpecValidator.warnings(spec).map(\.path) == ["requested_checks[0].config.manual_check"])
    }

    @Test("a spec that is not an object is one problem at the root", arguments: ["[]", "\"spec\"", "null", "42"])
    func root(text: String) throws {
        let problems = SessionSpecValidator.validate(try JSONValue(jsonString: text))
        #expect(problems.count == 1)
        #expect(problems.first?.path == "$")
    }

    @Test("an explicit null ttl next to a deadline counts as absent")
    func nullTTL() throws {
        let spec: JSONValue = [
            "client_session_token_ttl": nil, "session_deadline": "2026-12-01T23:59:59Z", "resources_ttl": 604800,
        ]
        #expect(SessionSpecValidator.validate(spec).isEmpty)
    }

    @Test(
        "a ttl at the integer limit is a problem, not a trap (regression: ttl + 86400 overflowed; found by the sandbox fuzz)",
        arguments: [.integer(.max), .integer(.max - 86_399), .string("9223372036854775807")] as [JSONValue])
    func hugeTTL(ttl: JSONValue) {
        let problems = SessionSpecValidator.validate(["client_session_token_ttl": ttl, "resources_ttl": 172_800])
        #expect(problems.map(\.path) == ["resources_ttl"])
        #expect(problems.first?.message.contains("more than the largest integer") == true)
    }

    @Test("description is path: message")
    func problemDescription() {
        let problem = SessionSpecProblem(path: "sdk_config.dark_mode", message: "bad")
        #expect("\(problem)" == "sdk_config.dark_mode: bad")
    }
}
