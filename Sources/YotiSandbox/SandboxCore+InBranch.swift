import Foundation
import YotiAPI

/// In-Branch letters by email, as Yoti sends them (`docs/yoti-api.md` section 8): when the instructions are put,
/// Yoti emails the letter to the contact profile's address itself, unless the session's notifications
/// subscribe to `INSTRUCTIONS_EMAIL_REQUESTED`; then the email goes out only when the client asks with
/// `POST /sessions/{id}/instructions/email`. Every email is recorded in the session
/// (``SandboxSession/lettersEmailed``: to whom, by which route), so tests see duplicates.
extension SandboxCore {
    /// The notification topic that hands the letter email to the client.
    static let emailRequestedTopic = "INSTRUCTIONS_EMAIL_REQUESTED"

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
        recordLetterEmail(id, route: .requested, state: &state)
        return SandboxResponse(status: .ok)
    }

    /// Records an email of session `id`'s letter to its contact profile's address.
    func recordLetterEmail(_ id: String, route: SandboxSession.LetterEmail.Route, state: inout SandboxState) {
        let address = state.sessions[id]?.instructions?["contact_profile"]?["email"]?.stringValue ?? ""
        state.sessions[id]?.lettersEmailed.append(.init(to: address, route: route))
    }
}
