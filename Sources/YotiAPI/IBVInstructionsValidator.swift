/// Local checks of In-Branch instruction data (a row's `ibv_instructions` merged over its
/// configuration's `ibv_defaults`), with JSON paths like ``SessionSpecValidator``.
///
/// The shape checked is the row's, not Yoti's body:
/// `{"contact_profile": {"first_name", "last_name", "email"}, "documents": [{"type", "document_type",
/// "country_code"}], "branch": {"type", ...}}`. Messages never quote an email address or a name.
package enum IBVInstructionsValidator {
    /// Document types an applicant may bring to a branch.
    package static let documentTypes = [
        "PASSPORT", "DRIVING_LICENCE", "NATIONAL_ID", "RESIDENCE_PERMIT", "PASS_CARD", "UTILITY_BILL",
        "BANK_STATEMENT", "COUNCIL_TAX",
    ]
    /// Capture requirement types a document can satisfy.
    package static let requirementTypes = ["ID_DOCUMENT", "SUPPLEMENTARY_DOCUMENT"]
    /// Branch types Yoti accepts.
    package static let branchTypes = ["UK_POST_OFFICE"]

    /// What is certainly wrong with `instructions`; empty when they can be sent.
    /// - Parameter requireContact: `false` checks only what is present (defaults held beside a configuration).
    package static func problems(in instructions: JSONValue, requireContact: Bool = true) -> [SessionSpecProblem] {
        guard let members = instructions.objectValue else {
            return [SessionSpecProblem(path: "$", message: "must be a JSON object")]
        }
        var problems: [SessionSpecProblem] = []
        let known: Set<String> = ["contact_profile", "documents", "branch"]
        for key in members.keys.sorted() where !known.contains(key) {
            problems.append(
                .init(path: key, message: "is not an instruction field (contact_profile, documents, branch)"))
        }
        if let contact = members["contact_profile"] {
            problems += contactProblems(contact)
        } else if requireContact {
            problems.append(.init(path: "contact_profile", message: "is required (first_name, last_name, email)"))
        }
        if let documents = members["documents"] {
            problems += documentProblems(documents)
        }
        if let branch = members["branch"] {
            if branch.objectValue == nil {
                problems.append(.init(path: "branch", message: "must be an object with a type"))
            } else if let type = branch["type"]?.stringValue {
                if !branchTypes.contains(type) {
                    problems.append(
                        .init(
                            path: "branch.type",
                            message: "\"\(type)\" is not one of \(branchTypes.joined(separator: ", "))"))
                }
            } else {
                problems.append(
                    .init(path: "branch.type", message: "is required (\(branchTypes.joined(separator: ", ")))"))
            }
        }
        return problems
    }

    private static func contactProblems(_ contact: JSONValue) -> [SessionSpecProblem] {
        guard contact.objectValue != nil else {
            return [.init(path: "contact_profile", message: "must be an object with first_name, last_name and email")]
        }
        var problems: [SessionSpecProblem] = []
        for field in ["first_name", "last_name"] {
            let value = contact[field]?.stringValue?.trimmingWhitespace ?? ""
            if value.isEmpty {
                problems.append(.init(path: "contact_profile.\(field)", message: "is required (a non-empty string)"))
            }
        }
        if let email = contact["email"]?.stringValue {
            if !isPlausibleEmail(email) {
                problems.append(.init(path: "contact_profile.email", message: "is not a plausible email address"))
            }
        } else {
            problems.append(
                .init(path: "contact_profile.email", message: "is required (the applicant's email address)"))
        }
        return problems
    }

    private static func documentProblems(_ documents: JSONValue) -> [SessionSpecProblem] {
        guard let list = documents.arrayValue else {
            return [.init(path: "documents", message: "must be an array of documents")]
        }
        var problems: [SessionSpecProblem] = []
        for (index, document) in list.enumerated() {
            let path = "documents[\(index)]"
            guard document.objectValue != nil else {
                problems.append(.init(path: path, message: "must be an object with a document_type"))
                continue
            }
            let type = document["type"]?.stringValue ?? "ID_DOCUMENT"
            if !requirementTypes.contains(type) {
                problems.append(
                    .init(
                        path: path + ".type",
                        message: "\"\(type)\" is not one of \(requirementTypes.joined(separator: ", "))"))
            }
            if let documentType = document["document_type"]?.stringValue {
                if !documentTypes.contains(documentType) {
                    problems.append(
                        .init(
                            path: path + ".document_type",
                            message: "\"\(documentType)\" is not one of \(documentTypes.joined(separator: ", "))"))
                }
            } else {
                problems.append(.init(path: path + ".document_type", message: "is required (e.g. PASSPORT)"))
            }
            if let country = document["country_code"] {
                let code = country.stringValue ?? ""
                if code.count != 3 || !code.allSatisfy({ $0.isASCII && $0.isUppercase }) {
                    problems.append(
                        .init(path: path + ".country_code", message: "must be an ISO 3166-1 alpha-3 code (e.g. GBR)"))
                }
            }
        }
        return problems
    }

    /// One `@`, a non-empty local part, a dotted domain, no spaces: plausible, not proven.
    package static func isPlausibleEmail(_ email: String) -> Bool {
        let parts = email.split(separator: "@", omittingEmptySubsequences: false)
        guard parts.count == 2, !parts[0].isEmpty, email.count <= 254,
            !email.contains(where: { $0.isWhitespace || $0.isNewline })
        else { return false }
        let domain = parts[1]
        let labels = domain.split(separator: ".", omittingEmptySubsequences: false)
        return labels.count >= 2 && labels.allSatisfy { !$0.isEmpty }
    }
}

extension String {
    fileprivate var trimmingWhitespace: String {
        var scalars = Substring(self)
        while let first = scalars.first, first.isWhitespace { scalars.removeFirst() }
        while let last = scalars.last, last.isWhitespace { scalars.removeLast() }
        return String(scalars)
    }
}
