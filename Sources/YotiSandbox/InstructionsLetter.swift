import YotiAPI

/// A tiny, valid one-page PDF standing in for Yoti's in-branch instructions letter: it names the
/// applicant and the documents to bring, so `pdftotext` can check a saved letter.
enum InstructionsLetter {
    /// The letter for `sessionID`, with a correct cross-reference table so PDF readers open it.
    static func pdf(sessionID: String, instructions: JSONValue? = nil) -> [UInt8] {
        let contact = instructions?["contact_profile"]
        let name = [contact?["first_name"]?.stringValue, contact?["last_name"]?.stringValue].compactMap { $0 }
            .joined(separator: " ")
        let documents = (instructions?["documents"]?.arrayValue ?? []).map { document in
            let inner = document["document"] ?? document
            return [
                inner["document_type"]?.stringValue ?? inner["type"]?.stringValue, inner["country_code"]?.stringValue,
            ]
            .compactMap { $0 }.joined(separator: " ")
        }
        var lines = [
            "Yoti sandbox: in-branch instructions for session \(sessionID.filter { $0.isLetter || $0.isNumber || $0 == "-" })"
        ]
        if !name.isEmpty { lines.append("Applicant: \(name)") }
        if !documents.isEmpty { lines.append("Bring: \(documents.joined(separator: ", "))") }
        if let branch = instructions?["branch"]?["type"]?.stringValue { lines.append("Branch: \(branch)") }
        let stream =
            "BT /F1 12 Tf 72 720 Td 16 TL " + lines.map { "(\(escaped($0))) Tj T*" }.joined(separator: " ") + " ET"
        let objects = [
            "<< /Type /Catalog /Pages 2 0 R >>",
            "<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
            "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R "
                + "/Resources << /Font << /F1 5 0 R >> >> >>",
            "<< /Length \(stream.utf8.count) >>\nstream\n\(stream)\nendstream",
            "<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
        ]
        var out = "%PDF-1.4\n"
        var offsets: [Int] = []
        for (index, object) in objects.enumerated() {
            offsets.append(out.utf8.count)
            out += "\(index + 1) 0 obj\n\(object)\nendobj\n"
        }
        let xref = out.utf8.count
        out += "xref\n0 \(objects.count + 1)\n0000000000 65535 f \n"
        for offset in offsets {
            let digits = String(offset)
            out += String(repeating: "0", count: 10 - digits.count) + digits + " 00000 n \n"
        }
        out += "trailer\n<< /Size \(objects.count + 1) /Root 1 0 R >>\nstartxref\n\(xref)\n%%EOF\n"
        return Array(out.utf8)
    }

    /// A PDF literal string's content: printable ASCII only, with `\`, `(` and `)` escaped.
    private static func escaped(_ text: String) -> String {
        var out = ""
        for scalar in text.unicodeScalars {
            guard scalar.isASCII, scalar.value >= 0x20, scalar.value < 0x7f else {
                out += "?"
                continue
            }
            if scalar == "\\" || scalar == "(" || scalar == ")" { out += "\\" }
            out.unicodeScalars.append(scalar)
        }
        return out
    }
}
