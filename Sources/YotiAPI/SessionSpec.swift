/// The body of `POST /sessions` (docs/yoti-api.md section 4), typed over its JSON.
///
/// Every documented field has an accessor; everything else — fields Yoti adds later, at any
/// depth — is kept as is, so decode–encode round trips change nothing. Enumerated fields are
/// strings; their documented values are in ``SessionSpecVocabulary`` and checked by ``validate()``.
/// `description` redacts secrets (`notifications.auth_token`, API keys, ...).
package struct SessionSpec: JSONObjectView {
    package var json: JSONValue
    package init(json: JSONValue) { self.json = json }

    /// Seconds the client session token lives; must be > 300. Alternative to ``sessionDeadline``.
    package var clientSessionTokenTTL: Int? {
        get { self[integer: "client_session_token_ttl"] }
        set { self[integer: "client_session_token_ttl"] = newValue }
    }
    /// RFC 3339 date-time until which the session is open. Alternative to ``clientSessionTokenTTL``.
    package var sessionDeadline: String? {
        get { self[string: "session_deadline"] }
        set { self[string: "session_deadline"] = newValue }
    }
    /// Seconds media is retained; default one week; ≥ 24 h and ≥ token ttl + 24 h.
    package var resourcesTTL: Int? {
        get { self[integer: "resources_ttl"] }
        set { self[integer: "resources_ttl"] = newValue }
    }
    /// The caller's id for the person (no PII). The runner defaults it to the row's `external_ref`.
    package var userTrackingID: String? {
        get { self[string: "user_tracking_id"] }
        set { self[string: "user_tracking_id"] = newValue }
    }
    package var blockBiometricConsent: Bool? {
        get { self[bool: "block_biometric_consent"] }
        set { self[bool: "block_biometric_consent"] = newValue }
    }
    package var notifications: Notifications? {
        get { self[view: "notifications"] }
        set { self[view: "notifications"] = newValue }
    }
    package var requestedChecks: [RequestedCheck]? {
        get { self[views: "requested_checks"] }
        set { self[views: "requested_checks"] = newValue }
    }
    package var requestedTasks: [RequestedTask]? {
        get { self[views: "requested_tasks"] }
        set { self[views: "requested_tasks"] = newValue }
    }
    package var requiredDocuments: [RequiredDocument]? {
        get { self[views: "required_documents"] }
        set { self[views: "required_documents"] = newValue }
    }
    package var sdkConfig: SDKConfig? {
        get { self[view: "sdk_config"] }
        set { self[view: "sdk_config"] = newValue }
    }
    /// In-Branch Verification options.
    package var ibvOptions: IBVOptions? {
        get { self[view: "ibv_options"] }
        set { self[view: "ibv_options"] = newValue }
    }
    /// Per-person resources, e.g. the IBV applicant profile.
    package var resources: Resources? {
        get { self[view: "resources"] }
        set { self[view: "resources"] = newValue }
    }
    /// `{subject_id}`.
    package var subject: Subject? {
        get { self[view: "subject"] }
        set { self[view: "subject"] = newValue }
    }
    /// Identity profile scheme requirements, passed through as JSON.
    package var identityProfileRequirements: JSONValue? {
        get { self[json: "identity_profile_requirements"] }
        set { self[json: "identity_profile_requirements"] = newValue }
    }
    /// Advanced identity profile requirements, passed through as JSON.
    package var advancedIdentityProfileRequirements: JSONValue? {
        get { self[json: "advanced_identity_profile_requirements"] }
        set { self[json: "advanced_identity_profile_requirements"] = newValue }
    }
    package var createIdentityProfilePreview: Bool? {
        get { self[bool: "create_identity_profile_preview"] }
        set { self[bool: "create_identity_profile_preview"] = newValue }
    }
    /// `{ttl}` for an import token.
    package var importToken: ImportToken? {
        get { self[view: "import_token"] }
        set { self[view: "import_token"] = newValue }
    }

    /// Everything certainly wrong with this spec (see ``SessionSpecValidator``).
    package func validate() -> [SessionSpecProblem] { SessionSpecValidator.validate(json) }

    /// The exact bytes to send: compact JSON with sorted keys.
    package func jsonBytes() -> [UInt8] { json.jsonBytes() }
}
