extension SessionSpec {
    /// `sdk_config`: how the end-user web flow looks and behaves.
    package struct SDKConfig: JSONObjectView {
        package var json: JSONValue
        package init(json: JSONValue) { self.json = json }

        /// `CAMERA` or `CAMERA_AND_UPLOAD`.
        package var allowedCaptureMethods: String? {
            get { self[string: "allowed_capture_methods"] }
            set { self[string: "allowed_capture_methods"] = newValue }
        }
        /// `#rrggbb`.
        package var primaryColour: String? {
            get { self[string: "primary_colour"] }
            set { self[string: "primary_colour"] = newValue }
        }
        /// `#rrggbb`.
        package var secondaryColour: String? {
            get { self[string: "secondary_colour"] }
            set { self[string: "secondary_colour"] = newValue }
        }
        /// `#rrggbb`.
        package var fontColour: String? {
            get { self[string: "font_colour"] }
            set { self[string: "font_colour"] = newValue }
        }
        /// e.g. `en-GB`.
        package var locale: String? {
            get { self[string: "locale"] }
            set { self[string: "locale"] = newValue }
        }
        /// ISO 3166 alpha-3.
        package var presetIssuingCountry: String? {
            get { self[string: "preset_issuing_country"] }
            set { self[string: "preset_issuing_country"] = newValue }
        }
        package var successURL: String? {
            get { self[string: "success_url"] }
            set { self[string: "success_url"] = newValue }
        }
        package var errorURL: String? {
            get { self[string: "error_url"] }
            set { self[string: "error_url"] = newValue }
        }
        package var privacyPolicyURL: String? {
            get { self[string: "privacy_policy_url"] }
            set { self[string: "privacy_policy_url"] = newValue }
        }
        package var allowHandoff: Bool? {
            get { self[bool: "allow_handoff"] }
            set { self[bool: "allow_handoff"] = newValue }
        }
        package var brandID: String? {
            get { self[string: "brand_id"] }
            set { self[string: "brand_id"] = newValue }
        }
        package var suppressedScreens: [String]? {
            get { self[strings: "suppressed_screens"] }
            set { self[strings: "suppressed_screens"] = newValue }
        }
        /// `ON`, `OFF` or `AUTO`.
        package var darkMode: String? {
            get { self[string: "dark_mode"] }
            set { self[string: "dark_mode"] = newValue }
        }
        /// `EARLY` or `JUST_IN_TIME`.
        package var biometricConsentFlow: String? {
            get { self[string: "biometric_consent_flow"] }
            set { self[string: "biometric_consent_flow"] = newValue }
        }
        /// `{"ID_DOCUMENT_TEXT_DATA_EXTRACTION": {"GENERIC": n, "RECLASSIFICATION": n, ...}}`.
        package var attemptsConfiguration: [String: [String: Int]]? {
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
