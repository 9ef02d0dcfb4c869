extension SessionSpec {
    /// `sdk_config`: how the end-user web flow looks and behaves.
    public struct SDKConfig: JSONObjectView {
        public var json: JSONValue
        public init(json: JSONValue) { self.json = json }

        /// `CAMERA` or `CAMERA_AND_UPLOAD`.
        public var allowedCaptureMethods: String? {
            get { self[string: "allowed_capture_methods"] }
            set { self[string: "allowed_capture_methods"] = newValue }
        }
        /// `#rrggbb`.
        public var primaryColour: String? {
            get { self[string: "primary_colour"] }
            set { self[string: "primary_colour"] = newValue }
        }
        /// `#rrggbb`.
        public var secondaryColour: String? {
            get { self[string: "secondary_colour"] }
            set { self[string: "secondary_colour"] = newValue }
        }
        /// `#rrggbb`.
        public var fontColour: String? {
            get { self[string: "font_colour"] }
            set { self[string: "font_colour"] = newValue }
        }
        /// e.g. `en-GB`.
        public var locale: String? {
            get { self[string: "locale"] }
            set { self[string: "locale"] = newValue }
        }
        /// ISO 3166 alpha-3.
        public var presetIssuingCountry: String? {
            get { self[string: "preset_issuing_country"] }
            set { self[string: "preset_issuing_country"] = newValue }
        }
        public var successURL: String? {
            get { self[string: "success_url"] }
            set { self[string: "success_url"] = newValue }
        }
        public var errorURL: String? {
            get { self[string: "error_url"] }
            set { self[string: "error_url"] = newValue }
        }
        public var privacyPolicyURL: String? {
            get { self[string: "privacy_policy_url"] }
            set { self[string: "privacy_policy_url"] = newValue }
        }
        public var allowHandoff: Bool? {
            get { self[bool: "allow_handoff"] }
            set { self[bool: "allow_handoff"] = newValue }
        }
        public var brandID: String? {
            get { self[string: "brand_id"] }
            set { self[string: "brand_id"] = newValue }
        }
        public var suppressedScreens: [String]? {
            get { self[strings: "suppressed_screens"] }
            set { self[strings: "suppressed_screens"] = newValue }
        }
        /// `ON`, `OFF` or `AUTO`.
        public var darkMode: String? {
            get { self[string: "dark_mode"] }
            set { self[string: "dark_mode"] = newValue }
        }
        /// `EARLY` or `JUST_IN_TIME`.
        public var biometricConsentFlow: String? {
            get { self[string: "biometric_consent_flow"] }
            set { self[string: "biometric_consent_flow"] = newValue }
        }
        /// `{"ID_DOCUMENT_TEXT_DATA_EXTRACTION": {"GENERIC": n, "RECLASSIFICATION": n, ...}}`.
        public var attemptsConfiguration: [String: [String: Int]]? {
            get {
                self[json: "attempts_configuration"]?.objectValue?.compactMapValues { category in
                    category.objectValue?.compactMapValues { SpecChecker.lenientInteger($0).map { Int($0) } }
                }
            }
            set {
                self[json: "attempts_configuration"] = newValue.map { configuration in
                    .object(configuration.mapValues { .object($0.mapValues { JSONValue.integer(Int64($0)) }) })
                }
            }
        }
    }
}
