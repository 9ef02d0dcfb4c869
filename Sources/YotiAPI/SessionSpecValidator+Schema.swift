/// The shape of a session spec as documented by Yoti (docs/yoti-api.md section 4).
extension SessionSpecValidator {
    typealias V = SessionSpecVocabulary

    static let schema: SpecShape = .object(schemaMembers)

    /// The top-level members of ``schema``.
    static let schemaMembers: [String: SpecShape] = [
        "client_session_token_ttl": .integer(minimum: 301, rule: "more than 300 seconds"),
        "session_deadline": .string(.dateTime),
        "resources_ttl": .integer(minimum: day, rule: "at least 86400 seconds (24 h)"),
        "user_tracking_id": .text,
        "block_biometric_consent": .boolean,
        "notifications": notifications,
        "requested_checks": .array(.tagged(requestedCheck)),
        "requested_tasks": .array(.tagged(requestedTask)),
        "required_documents": .array(.tagged(requiredDocument)),
        "sdk_config": sdkConfig,
        "ibv_options": .object([
            "support": .oneOf(V.ibvSupport),
            "guidance_url": .string(.url),
            "user_price": .object(["amount": .amount, "currency": .string(.currency)]),
        ]),
        "resources": .object(["applicant_profile": applicantProfile]),
        "subject": .object(["subject_id": .text]),
        "identity_profile_requirements": .object([:]),
        "advanced_identity_profile_requirements": .object([:]),
        "create_identity_profile_preview": .boolean,
        "import_token": .object(["ttl": .integer(minimum: 1, rule: "a positive number of seconds")]),
    ]

    static let notifications: SpecShape = .object([
        "endpoint": .string(.url),
        "topics": .array(.oneOf(V.notificationTopics, caseInsensitive: true, open: true)),
        "auth_token": .text,
        "auth_type": .oneOf(V.notificationAuthTypes),
    ])

    static let manualCheck: SpecShape = .oneOf(V.manualChecks)

    static let requestedCheck = SpecTaggedShape(
        values: V.checkTypes,
        common: ["config": .object(["manual_check": manualCheck])],
        variants: [
            "LIVENESS": [
                "config": .object([
                    "manual_check": manualCheck,
                    "liveness_type": .oneOf(V.livenessTypes),
                    "max_retries": .integer(minimum: 0, rule: "zero or more"),
                ])
            ],
            "WATCHLIST_SCREENING": [
                "config": .object([
                    "manual_check": manualCheck,
                    "categories": .array(.oneOf(V.watchlistCategories)),
                ])
            ],
            "WATCHLIST_ADVANCED_CA": ["config": advancedCAConfig],
            "DOCUMENT_SCHEME_VALIDITY_CHECK": [
                "config": .object(["manual_check": manualCheck, "scheme": .text])
            ],
        ])

    static let advancedCAConfig: SpecShape = .object([
        "type": .oneOf(V.advancedCATypes),
        "manual_check": manualCheck,
        "remove_deceased": .boolean,
        "share_url": .boolean,
        "sources": .tagged(
            SpecTaggedShape(
                values: V.advancedCASourceTypes,
                variants: [
                    "TYPE_LIST": ["types": .array(.text)],
                    "PROFILE": ["search_profile": .text],
                ])),
        "matching_strategy": .tagged(
            SpecTaggedShape(
                values: V.matchingStrategyTypes,
                variants: [
                    "EXACT": ["exact_match": .boolean],
                    "FUZZY": ["fuzziness": .number(0...1)],
                ])),
        "api_key": .text,
        "monitoring": .boolean,
        "tags": .map(.text),
        "client_ref": .text,
    ])

    static let requestedTask = SpecTaggedShape(
        values: V.taskTypes,
        common: ["config": .object(["manual_check": manualCheck])],
        variants: [
            "ID_DOCUMENT_TEXT_DATA_EXTRACTION": [
                "config": .object([
                    "manual_check": manualCheck,
                    "chip_data": .oneOf(V.chipData),
                    "create_expanded_document_fields": .boolean,
                ])
            ]
        ])

    static let countryCodes: SpecShape = .array(.string(.countryAlpha3))

    static let documentFilter: SpecShape = .tagged(
        SpecTaggedShape(
            values: V.filterTypes,
            common: ["allow_non_latin_documents": .boolean, "allow_expired_documents": .boolean],
            variants: [
                "ORTHOGONAL_RESTRICTIONS": [
                    "country_restriction": .object(["inclusion": .closed(V.inclusions), "country_codes": countryCodes]),
                    "type_restriction": .object(["inclusion": .closed(V.inclusions), "document_types": .array(.text)]),
                ],
                "DOCUMENT_RESTRICTIONS": [
                    "inclusion": .closed(V.inclusions),
                    "documents": .array(.object(["country_codes": countryCodes, "document_types": .array(.text)])),
                ],
            ]))

    static let requiredDocument = SpecTaggedShape(
        values: V.documentTypes,
        common: ["filter": documentFilter],
        variants: [
            "SUPPLEMENTARY_DOCUMENT": [
                "document_types": .array(.text),
                "country_codes": countryCodes,
                "objective": .tagged(SpecTaggedShape(values: V.objectiveTypes, common: ["config": .object([:])])),
            ]
        ])

    static let sdkConfig: SpecShape = .object([
        "allowed_capture_methods": .oneOf(V.captureMethods),
        "primary_colour": .string(.colour),
        "secondary_colour": .string(.colour),
        "font_colour": .string(.colour),
        "locale": .text,
        "preset_issuing_country": .string(.countryAlpha3),
        "success_url": .string(.url),
        "error_url": .string(.url),
        "privacy_policy_url": .string(.url),
        "allow_handoff": .boolean,
        "brand_id": .text,
        "suppressed_screens": .array(.text),
        "dark_mode": .closed(V.darkModes),
        "biometric_consent_flow": .oneOf(V.biometricConsentFlows),
        "attempts_configuration": .object([
            "ID_DOCUMENT_TEXT_DATA_EXTRACTION": .map(.integer(minimum: 0, rule: "zero or more"))
        ]),
    ])

    static let applicantProfile: SpecShape = .object([
        "full_name": .text,
        "given_names": .text,
        "first_name": .text,
        "middle_name": .text,
        "family_name": .text,
        "name_prefix": .text,
        "date_of_birth": .string(.date),
        "structured_postal_address": .object([
            "address_format": .integer,
            "building_number": .text,
            "address_line1": .text,
            "address_line2": .text,
            "address_line3": .text,
            "town_city": .text,
            "postal_code": .text,
            "country_iso": .string(.countryAlpha3),
            "country": .text,
            "formatted_address": .text,
        ]),
    ])
}
