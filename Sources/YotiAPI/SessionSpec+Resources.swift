extension SessionSpec {
    /// `resources`: per-person data supplied up front, such as the IBV applicant profile.
    package struct Resources: JSONObjectView {
        package var json: JSONValue
        package init(json: JSONValue) { self.json = json }

        package var applicantProfile: ApplicantProfile? {
            get { self[view: "applicant_profile"] }
            set { self[view: "applicant_profile"] = newValue }
        }
    }

    /// `resources.applicant_profile`: the applicant's name, date of birth and address (personal data:
    /// comes from the row, not from a shared configuration).
    package struct ApplicantProfile: JSONObjectView {
        package var json: JSONValue
        package init(json: JSONValue) { self.json = json }

        package var fullName: String? {
            get { self[string: "full_name"] }
            set { self[string: "full_name"] = newValue }
        }
        package var givenNames: String? {
            get { self[string: "given_names"] }
            set { self[string: "given_names"] = newValue }
        }
        package var firstName: String? {
            get { self[string: "first_name"] }
            set { self[string: "first_name"] = newValue }
        }
        package var middleName: String? {
            get { self[string: "middle_name"] }
            set { self[string: "middle_name"] = newValue }
        }
        package var familyName: String? {
            get { self[string: "family_name"] }
            set { self[string: "family_name"] = newValue }
        }
        /// `YYYY-MM-DD`.
        package var dateOfBirth: String? {
            get { self[string: "date_of_birth"] }
            set { self[string: "date_of_birth"] = newValue }
        }
        /// `{address_format, building_number, address_line1, town_city, postal_code, country_iso, country, ...}`.
        package var structuredPostalAddress: JSONValue? {
            get { self[json: "structured_postal_address"] }
            set { self[json: "structured_postal_address"] = newValue }
        }
    }
}
