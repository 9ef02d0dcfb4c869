import Foundation
import YotiAPI

/// In-Branch letters, as Yoti documents them (`docs/yoti-api.md` section 8): `PUT /sessions/{id}/instructions` answers with an empty body
/// and sends nothing; the letter is fetched with `GET …/instructions/pdf`, or emailed when the client asks
/// with `POST /sessions/{id}/instructions/email` — to the contact profile's address, or, when the session
/// subscribes to `INSTRUCTIONS_EMAIL_REQUESTED`, not at all: Yoti posts that notification to the spec's
/// endpoint instead, for the firm to deliver the letter itself. Every email is recorded in the session
/// (``SandboxSession/lettersEmailed``) and counted in the stats, so tests see duplicates.
extension SandboxCore {
    /// The notification topic that revokes Yoti's letter email: the firm delivers the letter.
    static let emailRequestedTopic = "INSTRUCTIONS_EMAIL_REQUESTED"
    /// The notification topic saying a (new) letter PDF is available.
    static let newPDFTopic = "NEW_PDF_SUPPLIED"

    /// Whether `spec` subscribes to ``emailRequestedTopic``.
    static func subscribesToEmailRequests(_ spec: JSONValue) -> Bool {
        spec["notifications"]?["topics"]?.arrayValue?.contains { $0.stringValue == emailRequestedTopic } == true
    }

    /// `POST /sessions/{id}/instructions/email`: 409 when the session expired or has no instructions yet.
    func emailInstructions(_ id: String, of application: SandboxApplication, state: inout SandboxState)
        -> SandboxResponse
    {
        guard let session = state.sessions[id], session.sdkID == application.sdkID else { return Self.sessionNotFound }
        if session.state(at: state.now) == .expired { return Self.expired }
        guard session.hasInstructions else {
            return .error(
                .conflict, code: "INSTRUCTIONS_NOT_SET",
                message: "put instructions for this session before asking for the email")
        }
        if session.subscribesToEmailRequests {
            // Yoti's email service is revoked for this session: the firm is told to deliver the letter.
            state.sessions[id]?.emailRequestsNotified += 1
            if let notification = PendingNotification.topic(Self.emailRequestedTopic, of: session, due: state.now) {
                state.pendingNotifications.append(notification)
            }
        } else {
            let address = session.instructions?["contact_profile"]?["email"]?.stringValue ?? ""
            state.sessions[id]?.lettersEmailed.append(.init(to: address))
        }
        return SandboxResponse(status: .ok)
    }

    /// After accepted instructions: `NEW_PDF_SUPPLIED` when the session subscribes to it.
    func announceNewLetter(_ id: String, state: inout SandboxState) {
        guard let session = state.sessions[id],
            let notification = PendingNotification.topic(Self.newPDFTopic, of: session, due: state.now)
        else { return }
        state.pendingNotifications.append(notification)
    }

    /// Why `instructions` cannot be accepted for `session`: every document requirement (ID or supplementary
    /// document) needs a document naming it, or the letter would not tell the applicant what to bring.
    static func documentProblems(_ instructions: JSONValue, session: SandboxSession) -> [YotiErrorBody.PropertyError] {
        let named = Set((instructions["documents"]?.arrayValue ?? []).compactMap { $0["requirement_id"]?.stringValue })
        return session.requirements.filter { $0.type.hasSuffix("_DOCUMENT") && !named.contains($0.id) }.map {
            YotiErrorBody.PropertyError(
                property: "documents",
                message: "requirement \($0.id) (\($0.type)) has no document: name the document the applicant will bring"
            )
        }
    }
}
