/// Why a row's spec could not be composed.
package struct SessionSpecCompositionError: Error, Sendable, Hashable, CustomStringConvertible {
    /// The kind of failure. Extensible.
    package struct Code: Sendable, Hashable, CustomStringConvertible {
        private enum Kind: String, Sendable, Hashable {
            case nothingToSend = "nothing_to_send", notAnObject = "not_an_object"
        }
        private let kind: Kind
        private init(_ kind: Kind) { self.kind = kind }
        /// Neither a named configuration nor a spec.
        package static let nothingToSend = Code(.nothingToSend)
        /// The composed spec is not a JSON object.
        package static let notAnObject = Code(.notAnObject)
        package var description: String { kind.rawValue }
    }

    package var code: Code
    /// What is wrong and what to do.
    package var message: String

    /// Creates an error.
    package init(code: Code, message: String) {
        self.code = code
        self.message = message
    }

    package var description: String { message }
}
