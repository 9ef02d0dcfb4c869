import YotiAPI
import YotiClient

/// The In-Branch follow-through calls (`IDVClient` in production, a recorder or fault injector in tests).
package protocol InstructionsSending: Sendable {
    /// `GET /sessions/{id}/configuration`.
    func getSessionConfiguration(id: String) async throws -> JSONValue
    /// `PUT /sessions/{id}/instructions`.
    func putInstructions(sessionID: String, _ instructions: JSONValue) async throws
    /// `GET /sessions/{id}/instructions/pdf`; `nil` for 204 (no letter).
    func instructionsPDF(sessionID: String) async throws -> [UInt8]?
    /// `POST /sessions/{id}/instructions/email`.
    func requestInstructionsEmail(sessionID: String) async throws
}

extension IDVClient: InstructionsSending {}
