extension SessionSpec {
    /// `resources`: per-person data supplied up front, such as the IBV applicant profile.
    public struct Resources: JSONObjectView {
        public var json: JSONValue
        public init(json: JSONValue) { self.json = json }

        public var applicantProfile: ApplicantProfile? {
            get { self[view: "applicant_profile"] }
            set { self[view: "applicant_profile"] = newValue }
        }
    }

    /// `resources.applicant_profile`: the applicant's name, date of birth and address (personal data:
    /// comes from the row, not from a shared configuration).
    public struct ApplicantProfile: JSONObjectView {
        public var json: JSONValue
        public init(json: JSONValue) { self.json = json }

        public var fullName: String? {
            get { self[string: "full_name"] }
            set { self[string: "full_name"] = newValue }
        }
        public var givenNames: String? {
            get { self[string: "given_names"] }
            set { self[string: "given_names"] = newValue }
        }
        public var firstName: String? {
            get { self[string: "first_name"] }
            set { self[string: "first_name"] = newValue }
        }
        public var middleName: String? {
            get { self[string: "middle_name"] }
            set { self[string: "middle_name"] = newValue }
        }
        public var familyName: String? {
            get { self[string: "family_name"] }
            set { self[string: "family_name"] = newValue }
        }
        /// `YYYY-MM-DD`.
        public var dateOfBirth: String? {
            get { self[string: "date_of_birth"] }
            set { self[string: "date_of_birth"] = newValue }
        }
        /// `{address_format, building_number, address_line1, town_city, postal_code, country_iso, country, ...}`.
        public var structuredPostalAddress: JSONValue? {
            get { self[json: "structured_postal_address"] }
            set { self[json: "structured_postal_address"] = newValue }
        }
    }
}
