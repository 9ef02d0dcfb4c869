/// The enumerated values Yoti documents for the session spec's fields (docs/yoti-api.md section 4).
///
/// Gathered from docs/yoti-api.md and the constants of Yoti's SDKs (Python `doc_scan/constants.py`, Node
/// `idv.constants.js`, Java `DocScanConstants`, PHP, Go, .NET). Most lists are open: Yoti adds values
/// over time, so a value outside one is only a warning (sent; `--strict` refuses it). Only
/// ``inclusions`` and ``darkModes`` are closed. Extend a list when Yoti documents a new value.
package enum SessionSpecVocabulary {
    /// `requested_checks[].type`.
    package static let checkTypes = [
        "ID_DOCUMENT_AUTHENTICITY", "ID_DOCUMENT_FACE_MATCH", "ID_DOCUMENT_COMPARISON", "LIVENESS",
        "WATCHLIST_SCREENING", "WATCHLIST_ADVANCED_CA", "FACE_COMPARISON", "THIRD_PARTY_IDENTITY",
        "THIRD_PARTY_IDENTITY_FRAUD_1", "IBV_VISUAL_REVIEW_CHECK", "DOCUMENT_SCHEME_VALIDITY_CHECK",
        "PROFILE_DOCUMENT_MATCH", "FAMILIAR_FACE_SEARCH", "ID_DOCUMENT_TEXT_DATA_CHECK",
        "SUPPLEMENTARY_DOCUMENT_TEXT_DATA_CHECK",
    ]
    /// `requested_checks[].config.manual_check` and `requested_tasks[].config.manual_check`.
    package static let manualChecks = ["ALWAYS", "FALLBACK", "NEVER", "IBV"]
    /// LIVENESS `liveness_type`.
    package static let livenessTypes = ["ZOOM", "STATIC"]
    /// WATCHLIST_SCREENING `categories[]`.
    package static let watchlistCategories = ["ADVERSE-MEDIA", "SANCTIONS"]
    /// WATCHLIST_ADVANCED_CA `config.type`.
    package static let advancedCATypes = ["WITH_YOTI_ACCOUNT", "WITH_CUSTOM_ACCOUNT"]
    /// WATCHLIST_ADVANCED_CA `sources.type`.
    package static let advancedCASourceTypes = ["TYPE_LIST", "PROFILE"]
    /// WATCHLIST_ADVANCED_CA `matching_strategy.type`.
    package static let matchingStrategyTypes = ["EXACT", "FUZZY"]
    /// `requested_tasks[].type`.
    package static let taskTypes = [
        "ID_DOCUMENT_TEXT_DATA_EXTRACTION", "SUPPLEMENTARY_DOCUMENT_TEXT_DATA_EXTRACTION", "VERIFY_SHARE_CODE_TASK",
    ]
    /// ID_DOCUMENT_TEXT_DATA_EXTRACTION `chip_data`.
    package static let chipData = ["DESIRED", "IGNORE"]
    /// `required_documents[].type`.
    package static let documentTypes = ["ID_DOCUMENT", "SUPPLEMENTARY_DOCUMENT", "SHARE_CODE"]
    /// `required_documents[].filter.type`.
    package static let filterTypes = ["ORTHOGONAL_RESTRICTIONS", "DOCUMENT_RESTRICTIONS"]
    /// Every `inclusion` field (closed).
    package static let inclusions = ["WHITELIST", "BLACKLIST"]
    /// `required_documents[].objective.type`.
    package static let objectiveTypes = ["PROOF_OF_ADDRESS", "UK_DBS"]
    /// `sdk_config.allowed_capture_methods`.
    package static let captureMethods = ["CAMERA", "CAMERA_AND_UPLOAD"]
    /// `sdk_config.dark_mode` (closed).
    package static let darkModes = ["ON", "OFF", "AUTO"]
    /// `sdk_config.biometric_consent_flow`.
    package static let biometricConsentFlows = ["EARLY", "JUST_IN_TIME"]
    /// `ibv_options.support`.
    package static let ibvSupport = ["MANDATORY", "NOT_ALLOWED"]
    /// `notifications.auth_type`.
    package static let notificationAuthTypes = ["BASIC", "BEARER"]
    /// `notifications.topics[]`. Yoti's own examples send some in lower case, so they are matched
    /// without regard to case.
    package static let notificationTopics = [
        "RESOURCE_UPDATE", "TASK_COMPLETION", "CHECK_COMPLETION", "SESSION_COMPLETION",
        "CLIENT_SESSION_TOKEN_DELETED", "NEW_PDF_SUPPLIED", "INSTRUCTIONS_EMAIL_REQUESTED",
        "THANK_YOU_EMAIL_REQUESTED", "FIRST_BRANCH_VISIT", "FLOW_COMPLETION",
    ]
}
